"""Selectors: the reads behind the export, the dashboard and the pages.

``response_rows`` is the responses export of docs/design.md, one row per
answered trial (for a pairs study, its "Pairs export": one row per answered
pair); ``participant_rows`` is one row per participant.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from django.db.models import Count, Q
from django.http import Http404
from django.utils import timezone

from contract import (
    EXPORT_HEAD,
    EXPORT_TRAILER,
    NAMED_FACTORS,
    PAIR_HEAD,
    PAIR_TRAILER,
    PAPER_ANSWER_COLUMNS,
)
from studyapp.models import PLAN_COLUMNS, Participant, Response, Stimulus, Study, Trial
from studyapp.pairs import level_of, pairs_make
from studyapp.prepared import Prepared
from studyapp.questions import PAPER, Question, preferences, question_set, scored

PARTICIPANT_COLUMNS = (
    "study", "participant", "group", "seed", "stage", "pilot", "bot", "trials_answered",
    "trials_total", "checks_passed", "checks_total", "too_fast_answers", "language", "age",
    "gender", "external_pid", "external_study_id", "external_session_id", "created_at",
    "consented_at", "completed_at", "withdrawn_at", "last_seen_at",
)


def response_columns(study: Study) -> list[str]:
    """Export header (docs/design.md): fixed columns, the five named factors, any other
    factor, the answers' columns, then the trailer; for a pairs study its own header
    (``pair_columns``)."""
    if study.is_pairs:
        return pair_columns(study)
    extra = [f for f in study.manifest_factors if f not in NAMED_FACTORS]
    return [*EXPORT_HEAD, *NAMED_FACTORS, *extra,
            *answer_columns(question_set(study.questions)), *EXPORT_TRAILER]


def shared_factors(study: Study) -> list[str]:
    """A pairs study's factors that both clips of a pair share: every factor of the
    manifest but the compared one, in the manifest's order."""
    return [f for f in study.manifest_factors if f != study.compare_factor]


def pair_columns(study: Study) -> list[str]:
    """The pairs export's header (docs/design.md, "Pairs export"): PAIR_HEAD, the compared
    factor's level of each clip, the shared factors, the answers' columns, PAIR_TRAILER."""
    factor = study.compare_factor
    return [*PAIR_HEAD, f"a_{factor}", f"b_{factor}", *shared_factors(study),
            *answer_columns(question_set(study.questions)), *PAIR_TRAILER]


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
        .select_related("trial__participant", "trial__stimulus", "trial__stimulus_b")
        .order_by("trial__participant__id", "trial__index")
    )
    cells = _pair_cells if study.is_pairs else _single_cells
    for response in responses.iterator(chunk_size=2000):
        trial, participant = response.trial, response.trial.participant
        row = {
            "study": study.slug,
            "participant": participant.code,
            "group": participant.group,
            "trial_index": trial.index,
            "is_practice": int(trial.is_practice),
            **cells(study, questions, trial, response),
            "rt_ms": response.rt_ms,
            "started_at": _iso(response.started_at),
            "submitted_at": _iso(response.submitted_at),
            "pilot": int(participant.is_pilot),
            "bot": int(participant.is_bot),
            "attention_check": int(trial.check_answer is not None),
            "attention_passed": _check_passed(trial.check_answer, response, questions),
        }
        yield {c: row[c] for c in columns}


def _single_cells(study: Study, questions, trial: Trial, response: Response) -> dict:
    """A single-clip row's own cells: its stimulus, factors, answers and plays."""
    factors = trial.stimulus.factors
    row = {"stimulus_id": trial.stimulus.stimulus_id, "plays": response.plays,
           **_answer_cells(questions, response, factors)}
    for factor in (*NAMED_FACTORS, *study.manifest_factors):
        row.setdefault(factor, factors.get(factor, ""))
    return row


def _pair_cells(study: Study, questions, trial: Trial, response: Response) -> dict:
    """A pair row's own cells: both clips, the side shown left, the compared factor's
    level of each, the shared factors (clip a's), the answers, the plays of each clip."""
    a, b, factor = trial.stimulus, trial.stimulus_b, study.compare_factor
    row = {"stimulus_a": a.stimulus_id, "stimulus_b": b.stimulus_id, "left": trial.left,
           f"a_{factor}": level_of(a, factor), f"b_{factor}": level_of(b, factor),
           "plays_a": response.plays, "plays_b": response.plays_b,
           **_answer_cells(questions, response, a.factors)}
    for shared in shared_factors(study):
        row.setdefault(shared, a.factors.get(shared, ""))
    return row


def _check_passed(check: dict | None, response: Response,
                  questions: tuple[Question, ...] = PAPER) -> int | str:
    """1/0 for an attention check, else "": the asked expression and intensity both
    given; for a catch pair, "no preference" to every preference question."""
    if check is None:
        return ""
    if "preference" in check:
        answers = response.answers or {}
        return int(all(answers.get(q.id) == check["preference"] for q in preferences(questions)))
    return int(response.response_emotion == check["response_emotion"]
               and response.intensity == check["intensity"])


def participant_rows(study: Study, **include) -> Iterator[dict]:
    """One dict per participant: group, demographics, progress, checks, times, ids."""
    questions = question_set(study.questions)
    for p in _with_progress(exported_participants(study, **include)).order_by("id"):
        yield {
            "study": study.slug, "participant": p.code, "group": p.group, "seed": p.seed,
            "stage": p.stage, "pilot": int(p.is_pilot), "bot": int(p.is_bot),
            "trials_answered": p.answered, "trials_total": p.last_trial,
            "checks_passed": _checks_passed(p, questions), "checks_total": checks_planned(p),
            "too_fast_answers": p.too_fast_answers, "language": p.language,
            "age": p.age, "gender": p.gender, "external_pid": p.external_pid,
            "external_study_id": p.external_study_id,
            "external_session_id": p.external_session_id,
            "created_at": _iso(p.created_at), "consented_at": _iso(p.consented_at),
            "completed_at": _iso(p.completed_at), "withdrawn_at": _iso(p.withdrawn_at),
            "last_seen_at": _iso(p.last_seen_at),
        }


def _with_progress(participants):
    """Annotate the answered measured trials per participant (the planned ones are
    ``last_trial``, the planned checks in ``plan``: checks_planned)."""
    return participants.annotate(
        answered=Count("trials__response", filter=Q(trials__is_practice=False)))


def checks_planned(participant: Participant) -> int:
    """How many attention checks the participant's plan holds."""
    check = PLAN_COLUMNS.index("check_answer")
    return sum(entry[check] is not None for entry in participant.plan)


def study_participants(study: Study) -> list[Participant]:
    """Every participant of ``study``, bots and withdrawals included, by enrolment."""
    return list(study.participants.order_by("id"))


def answers_per_stimulus(study: Study) -> list[dict]:
    """``{"stimulus_id", "group", "answers"}`` per measured stimulus (catch trials and the
    practice trial left out), by group and id: how balanced the cells are filling. For
    a pairs study, per pair (``stimulus_id`` is "<clip a> vs <clip b>")."""
    measured = Q(trial__is_practice=False, trial__check_answer__isnull=True)
    answered = Response.objects.filter(measured, trial__participant__study=study)
    if study.is_pairs:
        counts = {(a, b): n for a, b, n in answered.values_list(
            "trial__stimulus__stimulus_id", "trial__stimulus_b__stimulus_id")
            .annotate(n=Count("id"))}
        rows = [{"stimulus_id": f"{a.stimulus_id} vs {b.stimulus_id}", "group": a.group,
                 "answers": counts.get((a.stimulus_id, b.stimulus_id), 0)}
                for a, b in study_pairs(study)]
        return sorted(rows, key=lambda row: (row["group"], row["stimulus_id"]))
    counts = dict(answered.values_list("trial__stimulus__stimulus_id").annotate(n=Count("id")))
    stimuli = study.stimuli.filter(is_practice=False).order_by("group", "stimulus_id")
    return [{"stimulus_id": s.stimulus_id, "group": s.group, "answers": counts.get(s.stimulus_id, 0)}
            for s in stimuli]


def study_pairs(study: Study) -> list[tuple[Stimulus, Stimulus]]:
    """A pairs study's measured pairs, every group's (pairs.pairs_make)."""
    stimuli = list(study.stimuli.filter(is_practice=False).order_by("pk"))
    return pairs_make(stimuli, study.compare_factor, study.compare_against or None)


def pair_count(study: Study) -> int:
    """How many measured pairs a pairs study has, every group's together."""
    return len(study_pairs(study))


def sides_couple(study: Study, group: str, is_pilot: bool, is_bot: bool) -> tuple[int, int | None]:
    """Where a participant enrolling now stands in the side counterbalancing of a pairs
    study (ordering.pair_sides): (parity, the seed of the couple's first participant,
    None when the newcomer is the first). Participants count in enrolment order per
    group, bots and pilots among themselves; those who declined saw no trial and do not
    count. Read under the enrolment lock (services._enroll)."""
    earlier = (study.participants.filter(group=group, is_pilot=is_pilot, is_bot=is_bot)
               .exclude(stage=Participant.Stage.DECLINED))
    parity = earlier.count() % 2
    if parity == 0:
        return 0, None
    return 1, earlier.order_by("-id").values_list("seed", flat=True).first()


def attention_check_results(study: Study) -> tuple[int, int]:
    """(answered, passed) attention checks of every participant of ``study``."""
    answered = Response.objects.filter(trial__participant__study=study,
                                       trial__check_answer__isnull=False).select_related("trial")
    questions = question_set(study.questions)
    results = [_check_passed(r.trial.check_answer, r, questions) for r in answered]
    return len(results), sum(results)


def trials_planned(participant: Participant) -> list[Trial]:
    """Every trial of the participant's plan, in order, as unsaved Trial objects: the
    rows written so far (``participant.trials``) and those still to come alike."""
    return [Trial(participant=participant, **dict(zip(_PLAN_FIELDS, entry, strict=True)))
            for entry in participant.plan]


# A plan entry's values are the ids of its clips (PLAN_COLUMNS name the fields).
_PLAN_FIELDS = tuple(f"{name}_id" if name.startswith("stimulus") else name
                     for name in PLAN_COLUMNS)


def _checks_passed(participant: Participant, questions: tuple[Question, ...]) -> int:
    answered = Response.objects.filter(trial__participant=participant,
                                       trial__check_answer__isnull=False).select_related("trial")
    return sum(_check_passed(r.trial.check_answer, r, questions) for r in answered)


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


_STUDY = Prepared(lambda slug: Study.objects.filter(slug=slug), slug=str)


def study_get(slug: str) -> Study:
    """The study ``slug`` (Http404 if none): the study link and the information sheet
    ask it of every newcomer, so its query is compiled once (prepared.py)."""
    found = _STUDY.fetch(slug=slug)
    if not found:
        raise Http404("No such study.")
    return found[0]


_PARTICIPANT = Prepared(
    lambda slug, pk: Participant.objects.select_related("study").filter(study__slug=slug, pk=pk)
    .defer("plan"), slug=str, pk=int)


def participant_get(slug: str, pk: int | None) -> Participant | None:
    """The participant ``pk`` of the study ``slug``, its study attached (one query,
    compiled once: every participant page asks it, prepared.py)."""
    if pk is None:
        return None
    found = _PARTICIPANT.fetch(slug=slug, pk=pk)
    return found[0] if found else None


def participant_stimulus(slug: str, pk: int | None, url_name: str) -> Stimulus | None:
    """The stimulus called ``url_name`` if one of participant ``pk``'s trials in study
    ``slug`` shows it (its study attached), else None: clips go to no one else."""
    if pk is None:
        return None
    trial = (Trial.objects.select_related("stimulus__study", "stimulus_b__study")
             .filter(Q(stimulus__url_name=url_name) | Q(stimulus_b__url_name=url_name),
                     participant_id=pk, participant__study__slug=slug).first())
    if trial is None:
        return None
    return trial.stimulus if trial.stimulus.url_name == url_name else trial.stimulus_b


def _iso(value) -> str:
    return value.isoformat() if value else ""
