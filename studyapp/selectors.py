"""Selectors: the reads behind the export, the dashboard and the pages.

``response_rows`` is the responses export of docs/design.md, one row per
answered trial; ``participant_rows`` is one row per participant.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from django.db.models import Count, Q
from django.utils import timezone

from contract import EXPORT_HEAD, EXPORT_TRAILER, NAMED_FACTORS, PAPER_ANSWER_COLUMNS
from studyapp.models import Participant, Response, Stimulus, Study, Trial
from studyapp.questions import PAPER, Question, question_set, scored

PARTICIPANT_COLUMNS = (
    "study", "participant", "group", "seed", "stage", "pilot", "bot", "trials_answered",
    "trials_total", "checks_passed", "checks_total", "too_fast_answers", "language", "age",
    "gender", "external_pid", "external_study_id", "external_session_id", "created_at",
    "consented_at", "completed_at", "withdrawn_at", "last_seen_at",
)


def response_columns(study: Study) -> list[str]:
    """Export header (docs/design.md): fixed columns, the five named factors, any other
    factor, the answers' columns, then the trailer."""
    extra = [f for f in study.manifest_factors if f not in NAMED_FACTORS]
    return [*EXPORT_HEAD, *NAMED_FACTORS, *extra,
            *answer_columns(question_set(study.questions)), *EXPORT_TRAILER]


def answer_columns(questions: tuple[Question, ...]) -> tuple[str, ...]:
    """The paper's answer columns for its questions; else one column per question id,
    then ``<id>_correct`` per scored choice question."""
    if questions == PAPER:
        return PAPER_ANSWER_COLUMNS
    return (*(q.id for q in questions), *(f"{q.id}_correct" for q in scored(questions)))


def _answer_cells(questions: tuple[Question, ...], response: Response, factors: dict) -> dict:
    """One row's answer columns (answer_columns)."""
    if questions == PAPER:
        return {"response_emotion": response.response_emotion,
                "correct": int(response.response_emotion == factors.get("emotion")),
                "intensity": response.intensity, "sync": response.sync,
                "naturalness": response.naturalness}
    answers = response.answers or {}
    cells = {q.id: answers.get(q.id, "") for q in questions}
    for q in scored(questions):
        given = answers.get(q.id)
        cells[f"{q.id}_correct"] = "" if given is None else int(
            given == str(factors.get(q.correct_factor)))
    return cells


def exported_participants(study: Study, *, include_bots: bool = False,
                          include_withdrawn: bool = False, bots_only: bool = False):
    """The participants an export covers: by default no bots and no withdrawals;
    ``bots_only``: a rehearsal's bots alone (manage.py rehearse)."""
    participants = study.participants.all()
    if bots_only:
        participants = participants.filter(is_bot=True)
    elif not include_bots:
        participants = participants.filter(is_bot=False)
    if not include_withdrawn:
        participants = participants.exclude(stage=Participant.Stage.WITHDRAWN)
    return participants


def response_rows(study: Study, **include) -> Iterator[dict]:
    """One dict per answered trial, ordered by participant then trial index.

    ``include`` takes include_bots / include_withdrawn (exported_participants).
    """
    columns = response_columns(study)
    questions = question_set(study.questions)
    responses = (
        Response.objects.filter(trial__participant__in=exported_participants(study, **include))
        .select_related("trial__participant", "trial__stimulus")
        .order_by("trial__participant__id", "trial__index")
    )
    for response in responses.iterator(chunk_size=2000):
        trial, participant = response.trial, response.trial.participant
        factors = trial.stimulus.factors
        row = {
            "study": study.slug,
            "participant": participant.code,
            "group": participant.group,
            "trial_index": trial.index,
            "is_practice": int(trial.is_practice),
            "stimulus_id": trial.stimulus.stimulus_id,
            **_answer_cells(questions, response, factors),
            "rt_ms": response.rt_ms,
            "plays": response.plays,
            "started_at": _iso(response.started_at),
            "submitted_at": _iso(response.submitted_at),
            "pilot": int(participant.is_pilot),
            "bot": int(participant.is_bot),
            "attention_check": int(trial.check_answer is not None),
            "attention_passed": _check_passed(trial.check_answer, response),
        }
        for factor in (*NAMED_FACTORS, *study.manifest_factors):
            row.setdefault(factor, factors.get(factor, ""))
        yield {c: row[c] for c in columns}


def _check_passed(check: dict | None, response: Response) -> int | str:
    """1/0 for an attention check (asked expression and intensity both given), else ""."""
    if check is None:
        return ""
    return int(response.response_emotion == check["response_emotion"]
               and response.intensity == check["intensity"])


def participant_rows(study: Study, **include) -> Iterator[dict]:
    """One dict per participant: group, demographics, progress, checks, times, ids."""
    for p in _with_progress(exported_participants(study, **include)).order_by("id"):
        yield {
            "study": study.slug, "participant": p.code, "group": p.group, "seed": p.seed,
            "stage": p.stage, "pilot": int(p.is_pilot), "bot": int(p.is_bot),
            "trials_answered": p.answered, "trials_total": p.total,
            "checks_passed": _checks_passed(p), "checks_total": p.checks_total,
            "too_fast_answers": p.too_fast_answers, "language": p.language,
            "age": p.age, "gender": p.gender, "external_pid": p.external_pid,
            "external_study_id": p.external_study_id,
            "external_session_id": p.external_session_id,
            "created_at": _iso(p.created_at), "consented_at": _iso(p.consented_at),
            "completed_at": _iso(p.completed_at), "withdrawn_at": _iso(p.withdrawn_at),
            "last_seen_at": _iso(p.last_seen_at),
        }


def _with_progress(participants):
    """Annotate answered/total measured trials and attention checks per participant."""
    measured = Q(trials__is_practice=False)
    checks = Q(trials__check_answer__isnull=False)
    return participants.annotate(
        total=Count("trials", filter=measured, distinct=True),
        answered=Count("trials__response", filter=measured, distinct=True),
        checks_total=Count("trials", filter=checks, distinct=True),
    )


def study_participants(study: Study) -> list[Participant]:
    """Every participant of ``study``, bots and withdrawals included, by enrolment."""
    return list(study.participants.order_by("id"))


def answers_per_stimulus(study: Study) -> list[dict]:
    """``{"stimulus_id", "group", "answers"}`` per measured stimulus (catch trials and the
    practice trial left out), by group and id: how balanced the cells are filling."""
    measured = Q(trial__is_practice=False, trial__check_answer__isnull=True)
    counts = dict(Response.objects.filter(measured, trial__participant__study=study)
                  .values_list("trial__stimulus__stimulus_id").annotate(n=Count("id")))
    stimuli = study.stimuli.filter(is_practice=False).order_by("group", "stimulus_id")
    return [{"stimulus_id": s.stimulus_id, "group": s.group, "answers": counts.get(s.stimulus_id, 0)}
            for s in stimuli]


def attention_check_results(study: Study) -> tuple[int, int]:
    """(answered, passed) attention checks of every participant of ``study``."""
    answered = Response.objects.filter(trial__participant__study=study,
                                       trial__check_answer__isnull=False).select_related("trial")
    results = [_check_passed(r.trial.check_answer, r) for r in answered]
    return len(results), sum(results)


def measured_count(participant: Participant) -> int:
    """How many measured trials (not the practice trial) the participant has."""
    return participant.trials.filter(is_practice=False).count()


def _checks_passed(participant: Participant) -> int:
    answered = Response.objects.filter(trial__participant=participant,
                                       trial__check_answer__isnull=False).select_related("trial")
    return sum(_check_passed(r.trial.check_answer, r) for r in answered)


def group_places(study: Study, is_pilot: bool, is_bot: bool) -> dict[str, int]:
    """Places held per group: completed participants, and those still active.

    Someone inactive for ``study.inactive_minutes`` no longer holds a place (they
    may still come back and finish); bots and pilots are balanced among themselves.
    """
    levels = study.stimuli.filter(is_practice=False).values_list("group", flat=True)
    counts = dict.fromkeys(sorted(set(levels)), 0)
    recent = timezone.now() - timedelta(minutes=study.inactive_minutes)
    holding = (study.participants
               .filter(is_pilot=is_pilot, is_bot=is_bot)
               .exclude(stage__in=[Participant.Stage.DECLINED, Participant.Stage.WITHDRAWN])
               .filter(Q(stage=Participant.Stage.DONE) | Q(last_seen_at__gte=recent)))
    for row in holding.values("group").annotate(n=Count("id")):
        if row["group"] in counts:
            counts[row["group"]] = row["n"]
    return counts


def participant_get(slug: str, pk: int | None) -> Participant | None:
    """The participant ``pk`` of the study ``slug``, its study attached (one query)."""
    if pk is None:
        return None
    return Participant.objects.select_related("study").filter(study__slug=slug, pk=pk).first()


def participant_stimulus(slug: str, pk: int | None, url_name: str) -> Stimulus | None:
    """The stimulus called ``url_name`` if one of participant ``pk``'s trials in study
    ``slug`` shows it (its study attached), else None: clips go to no one else."""
    if pk is None:
        return None
    trial = (Trial.objects.select_related("stimulus__study")
             .filter(participant_id=pk, participant__study__slug=slug,
                     stimulus__url_name=url_name).first())
    return trial.stimulus if trial else None


def _iso(value) -> str:
    return value.isoformat() if value else ""
