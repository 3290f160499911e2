"""Services: every write the study app makes to participants, their trials and answers
(HackSoftware styleguide; building a study from a manifest is studies.py).

Views, management commands and bots call these, so one rule holds whichever
door a change comes through. Each write is one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from contract import EMOTIONS
from studyapp.answers import (
    TooFast,
    answer_clean,
    answers_clean,
    trial_plays,
    watch_shortfall_s,
)
from studyapp.errors import ServiceError
from studyapp.flow import WITHDRAWABLE, stage_after_answer, stage_next
from studyapp.models import PLAN_COLUMNS, Participant, Response, Stimulus, Study, Trial
from studyapp.ordering import (
    attention_checks_insert,
    group_choose,
    pair_checks_insert,
    pair_sides,
    seed_new,
    trial_order,
)
from studyapp.pairs import level_of, pairs_make, practice_pair
from studyapp.prepared import Prepared, row_insert, row_update, rows_insert, rows_update
from studyapp.questions import PAPER, Question, preference_levels, question_set
from studyapp.selectors import group_places, participant_get, sides_couple

Stage = Participant.Stage


# --- participants ----------------------------------------------------------


class AlreadyEnrolled(ServiceError):
    """Someone is already enrolled under this Prolific PID and study ID."""

    def __init__(self, participant: Participant):
        super().__init__("You have already started this study.", status=409)
        self.participant = participant


def participant_enroll(*, study: Study, external_pid: str = "", external_study_id: str = "",
                       external_session_id: str = "", seed: int | None = None,
                       is_pilot: bool = False, is_bot: bool = False,
                       language: str = "en", consent: bool | None = None) -> Participant:
    """A new participant with their group and trial order.

    Bots are enrolled as bots from the start, so they are balanced among
    themselves and never take a real participant's place in a group. Under a
    Prolific PID and study ID already enrolled, raise AlreadyEnrolled: whether
    the one asking may have that place back is the caller's decision
    (views.entry: the same browser, or the participant's resume code).
    ``consent`` (the consent form's answer, which is when a newcomer is enrolled:
    views.consent) writes the participant already past the consent stage, in the
    same statement, instead of moving them on in a second transaction.
    """
    external = {"external_pid": external_pid, "external_study_id": external_study_id}
    enrolment_check(study=study, **external)
    fields = {}
    if consent is not None:
        fields["stage"] = stage_next(Stage.CONSENT, consent=consent)
        if consent:
            fields["consented_at"] = timezone.now()
    try:
        return _enroll(study, seed, is_pilot=is_pilot or study.is_pilot, is_bot=is_bot,
                       language=language,
                       external_session_id=external_session_id, **external, **fields)
    except IntegrityError:
        # The same Prolific participant enrolled in a concurrent request.
        raise AlreadyEnrolled(Participant.objects.get(study=study, **external)) from None


def enrolment_check(*, study: Study, external_pid: str = "", external_study_id: str = "") -> None:
    """Raise what participant_enroll would (AlreadyEnrolled, a closed study) without
    writing anything: the study link asks it of every newcomer, who is enrolled
    only when they answer the consent form (views.consent)."""
    if external_pid:
        existing = _ENROLLED.fetch(study=study.pk, pid=external_pid, study_id=external_study_id)
        if existing:
            raise AlreadyEnrolled(existing[0])
    if not study.is_open:
        raise ServiceError(_("This study is closed and takes no new participants."), status=403)


# Who holds a Prolific PID and study ID in a study (unique): asked at every arrival.
_ENROLLED = Prepared(lambda study, pid, study_id: Participant.objects.filter(
    study_id=study, external_pid=pid, external_study_id=study_id), study=int, pid=str, study_id=str)

RESUME_TRIES = 10


def participant_resume(*, participant: Participant, code: str) -> Participant:
    """Let whoever shows ``participant``'s resume code continue as them (another browser).

    Wrong codes are counted; after RESUME_TRIES of them the place can no longer
    be taken over this way (the experimenter can still read the code in the admin).
    """
    if participant.resume_failures >= RESUME_TRIES:
        raise ServiceError(_("Too many wrong resume codes were tried for this place. Please "
                             "contact the researcher."), status=403)
    typed = "".join(code.split()).replace("-", "").upper()
    if constant_time_compare(typed, participant.resume_code):
        return participant
    Participant.objects.filter(pk=participant.pk).update(resume_failures=F("resume_failures") + 1)
    left = RESUME_TRIES - participant.resume_failures - 1
    raise ServiceError(_("That is not your resume code (%(left)s tries left).") % {"left": left},
                       status=400)


@transaction.atomic
def _enroll(study, seed, **fields) -> Participant:
    # Locking the study row serialises enrolments, so group counts are read
    # and the new participant written without another enrolment in between.
    _STUDY_LOCKED.fetch(study=study.pk)
    seed = seed_new() if seed is None else seed
    group = ""
    if study.between_factor:
        group = group_choose(group_places(study, fields["is_pilot"], fields["is_bot"]), seed)
    # A pairs study counterbalances sides by couples of participants (ordering.pair_sides),
    # read here, under the lock, before the new participant counts.
    couple = sides_couple(study, group, fields["is_pilot"], fields["is_bot"]) \
        if study.is_pairs else None
    participant = Participant(study=study, seed=seed, group=group, last_seen_at=timezone.now(),
                              next_trial=0 if study.practice_enabled else 1, **fields)
    if couple is None:
        participant.plan = _clip_plan(participant)
    else:
        parity, first_seed = couple
        participant.plan = _pair_plan(participant, seed if first_seed is None else first_seed,
                                        parity)
    participant.last_trial = participant.plan[-1][0] if participant.plan else 0
    due = trial_rows_due(participant.next_trial, participant.next_trial, participant.last_trial,
                         block=0)
    participant.trials_written_to = due.stop if due else participant.next_trial
    row_insert(participant)
    _trial_rows_write(participant, due, participant.plan)
    return participant


_STUDY_LOCKED = Prepared(lambda study: Study.objects.select_for_update().filter(pk=study)
                         .only("pk"), study=int)

#: Trials past the current one that must have rows: the page preloads the next
#: trial's clip, and an answer's reply carries the next trial and preloads the one
#: after (_response_store reads from the trial before to the one after next).
AHEAD = 2
#: How many trial rows an answer writes when they run short (_response_store): one
#: answer in BLOCK pays for a write, which costs about what one row alone would.
BLOCK = 32


def trial_rows_due(next_trial: int, written_to: int, last_trial: int, block: int) -> range:
    """The trial indexes whose rows to write now, for a participant on trial
    ``next_trial`` with rows below ``written_to`` and ``last_trial`` the last:
    none while rows reach AHEAD trials past the current one; else from
    ``written_to`` on, at least that far and ``block`` rows when there are that many.

    Enrolment (block 0) writes only what the first trial page needs, which makes
    an arrival cheap on a launch day (BENCHMARKS.md, "Launch day"); the rest is
    written by the answers, BLOCK at a time.
    """
    needed = min(next_trial + AHEAD, last_trial) + 1
    if written_to >= needed:
        return range(0)
    return range(written_to, min(max(needed, written_to + block), last_trial + 1))


#: A trial row as it is written (_trial_rows_write): a plan's entry with its participant.
TRIAL_COLUMNS = ("participant", *PLAN_COLUMNS)


def _trial_rows_write(participant: Participant, due: range, plan: list | None = None) -> None:
    """Write the rows of ``participant``'s planned trials with indexes in ``due`` (the
    plan is read when not given); the caller saves ``trials_written_to``."""
    if not due:
        return
    if plan is None:
        plan = _PLAN.fetch(pk=participant.pk)[0].plan
    rows_insert(Trial, TRIAL_COLUMNS, [(participant.pk, *entry) for entry in plan
                                       if entry[0] in due])


_PLAN = Prepared(lambda pk: Participant.objects.filter(pk=pk).only("plan"), pk=int)


def _clips_split(clips: list, group: str) -> tuple[list, list]:
    """A study's clips in manifest order -> (the measured ones a participant of ``group``
    sees: the group's, or all in a study without groups; the practice ones)."""
    measured = [c for c in clips if not c.is_practice and (not group or c.group == group)]
    return measured, [c for c in clips if c.is_practice]


# A study's clips as a plan needs them (named tuples, one query: enrolment is a
# launch's costly step), in manifest order.
_CLIPS = Prepared(lambda study: Stimulus.objects.filter(study_id=study).order_by("pk")
                  .only("pk", "is_practice", "group"), study=int)


def _clip_plan(participant: Participant) -> list[list]:
    """The participant's plan (PLAN_COLUMNS): the practice clip, then the measured
    clips (their group's, _clips_split) in the participant's order with attention
    checks among them."""
    study = participant.study
    measured, practice = _clips_split(_CLIPS.fetch_rows(study=study.pk), participant.group)
    order = trial_order([c.id for c in measured], participant.seed)
    sequence = attention_checks_insert(order, study.attention_checks, participant.seed, EMOTIONS)
    plan = [[i, stimulus, None, "", False, check]
            for i, (stimulus, check) in enumerate(sequence, start=1)]
    if study.practice_enabled:
        plan.insert(0, [0, practice[0].id, None, "", True, None])
    return plan


def _pair_plan(participant: Participant, sides_seed: int, parity: int) -> list[list]:
    """A pairs study's plan: the group's pairs (pairs.pairs_make), each with its side from
    the couple's seed and the participant's parity (ordering.pair_sides), in the
    participant's own random order with catch pairs among them; a practice pair first."""
    study = participant.study
    clips, practice = _clips_split(list(study.stimuli.order_by("pk")), participant.group)
    pairs = pairs_make(clips, study.compare_factor, study.compare_against or None)
    sides = pair_sides(len(pairs), sides_seed, parity)
    order = trial_order([(a, b, side) for (a, b), side in zip(pairs, sides, strict=True)],
                        participant.seed)
    sequence = pair_checks_insert(order, study.attention_checks, participant.seed, clips)
    plan = [[i, a.pk, b.pk, side, False, check]
            for i, ((a, b, side), check) in enumerate(sequence, start=1)]
    if study.practice_enabled:
        a, b = practice_pair(practice[:2])
        side = pair_sides(1, participant.seed, 0)[0]
        plan.insert(0, [0, a.pk, b.pk, side, True, None])
    return plan


def study_bots_remove(*, study: Study) -> int:
    """Remove a study's bots with their trials and answers (a rehearsal's, run again
    with --clean); real participants are never touched. Returns how many went."""
    bots = study.participants.filter(is_bot=True)
    count = bots.count()
    bots.delete()
    return count


def participant_language_set(*, participant: Participant, language: str) -> None:
    """Record the language a participant chose on the information sheet (a study left to
    the participant's choice, languages.py)."""
    Participant.objects.filter(pk=participant.pk).update(language=language)
    participant.language = language


def participant_touch(participant: Participant) -> None:
    """Record activity (at most once a minute), so an active participant keeps their place."""
    now = timezone.now()
    if participant.last_seen_at is None or now - participant.last_seen_at > timedelta(
            minutes=1):
        rows_update(Participant, participant.pk, {"last_seen_at": now})
        participant.last_seen_at = now


def _locked(participant: Participant) -> Participant:
    """The participant's row again, locked for this transaction, with the study
    already read (the next page's URL needs its slug)."""
    locked = Participant.objects.select_for_update().get(pk=participant.pk)
    locked.study = participant.study
    return locked


@transaction.atomic
def participant_withdraw(*, participant: Participant) -> Participant:
    """Withdraw from any page: answers are kept but marked, and left out of exports."""
    participant = _locked(participant)
    if participant.stage in WITHDRAWABLE:
        participant.stage = Stage.WITHDRAWN
        participant.withdrawn_at = timezone.now()
        participant.save(update_fields=["stage", "withdrawn_at"])
    return participant


def participant_advance(*, participant: Participant, from_stage: str, **fields) -> Participant:
    """Move a participant past ``from_stage`` (consent, about_you, instructions, pause)
    as flow.FLOW says, saving the page's fields; a stale page (another stage) is refused.

    One conditional UPDATE (... WHERE stage = from_stage): of two requests sending
    the same page at once, exactly one moves the participant on, with no lock held
    and no read before the write.
    """
    consent = fields.pop("consent", True)
    now = timezone.now()
    changes = {**fields, "stage": stage_next(from_stage, consent=consent), "last_seen_at": now}
    if from_stage == Stage.CONSENT and consent:
        changes["consented_at"] = now
    if not rows_update(Participant, participant.pk, changes, where={"stage": from_stage}):
        raise ServiceError("That page is no longer current.", status=409)
    for name, value in changes.items():
        setattr(participant, name, value)
    return participant


@dataclass
class Showing:
    """Where a participant stands, and on the trials stage the trial their page shows
    with the one after it, whose clip the page preloads."""

    participant: Participant
    trial: Trial | None = None
    upcoming: Trial | None = None


def trial_current(participant: Participant) -> Showing:
    """The trial the participant is on (trial page, or the reply to a repeated answer);
    its first showing is recorded."""
    if participant.stage != Stage.TRIALS:
        return Showing(participant)
    index = participant.next_trial
    trials = _trials_from(participant, index)
    if index not in trials:
        raise Trial.DoesNotExist(f"{participant} has no trial {index}")
    _record_showing(trials[index])
    return Showing(participant, trials[index], trials.get(index + 1))


def _trials_from(participant: Participant, index: int, n: int = 2, *, answers: bool = False
                 ) -> dict[int, Trial]:
    """Trials ``index`` .. ``index + n - 1`` (fewer at the end) with their stimuli, in one
    query; with ``answers``, each trial's answer too (``trial.response`` when there is one)."""
    rows = (_TRIALS_ANSWERED if answers else _TRIALS).fetch(
        participant=participant.pk, first=index, end=index + n)
    for trial in rows:
        trial.participant = participant
    return {trial.index: trial for trial in rows}


def _trials_window(*related: str) -> Prepared:
    """Trials ``first`` .. ``end - 1`` of ``participant`` with ``related``, compiled once
    (the answer's and the trial page's query, prepared.py)."""
    return Prepared(lambda participant, first, end: Trial.objects.select_related(*related)
                    .filter(participant_id=participant, index__gte=first, index__lt=end),
                    participant=int, first=int, end=int)


_TRIALS = _trials_window("stimulus", "stimulus_b")
_TRIALS_ANSWERED = _trials_window("stimulus", "stimulus_b", "response")


def _record_showing(trial: Trial) -> None:
    """Record when a trial was first shown (the answer's started_at)."""
    if trial.shown_at is None:
        now = timezone.now()
        if rows_update(Trial, trial.pk, {"shown_at": now}, where={"shown_at": None}):
            trial.shown_at = now
        else:  # another request showed it first: keep that time
            trial.refresh_from_db(fields=["shown_at"])


# --- answers ---------------------------------------------------------------

SESSION_ENDED = gettext_lazy("Your session has ended: please open the study link again.")


def response_submit(*, slug: str, participant_pk: int, data: dict) -> Showing:
    """Validate and store the answer of participant ``participant_pk`` of study ``slug``
    to their current trial; return where they now stand and the trial to show next.

    Idempotent: the same submission key, or a second answer to an answered
    trial, stores nothing new. The answer is the request a study sends most
    (benchmarks/load_study; the page shows the next trial from the reply), so
    the usual path is four queries in one transaction: the participant with
    the study (locked), the trials from the one before to the one after next
    (with stimuli and answers), the insert, the participant's update. A trial
    shown in place starts when the answer before it was stored; one shown by
    the trial page, when the page was sent (``shown_at``). A key already used
    elsewhere is found by the unique constraint, which rolls the insert back,
    and only then looked up.
    """
    clean = answer_clean(data)
    try:
        return _response_store(slug, participant_pk, clean)
    except TooFast:
        # Counted outside the refused answer's transaction, which rolled back.
        Participant.objects.filter(pk=participant_pk).update(
            too_fast_answers=F("too_fast_answers") + 1)
        raise
    except IntegrityError:
        owner = (Response.objects.filter(submission_key=clean["submission_key"])
                 .values_list("trial__participant_id", flat=True).first())
        if owner is None:
            raise
        if owner != participant_pk:
            raise ServiceError("This submission key belongs to another participant.",
                               403) from None
        return trial_current(participant_get(slug, participant_pk))


# Lock the participant's row only (of=self): answers of one study must not queue
# behind each other on the study's row. Compiled once (prepared.py).
_PARTICIPANT_LOCKED = Prepared(
    lambda slug, pk: Participant.objects.select_related("study").select_for_update(of=("self",))
    .filter(study__slug=slug, pk=pk).defer("plan"), slug=str, pk=int)


@transaction.atomic
def _response_store(slug: str, participant_pk: int, clean: dict) -> Showing:
    found = _PARTICIPANT_LOCKED.fetch(slug=slug, pk=participant_pk)
    if not found:
        raise ServiceError(SESSION_ENDED, 403)
    locked = found[0]
    questions = question_set(locked.study.questions)
    answers = answers_clean(questions, clean["answers"])
    index = clean["trial_index"]
    trials = _trials_from(locked, index - 1, 4, answers=True)
    if index not in trials:
        raise ServiceError(_("There is no trial %(index)s for you.") % {"index": index}, 404)
    trial = trials[index]
    if getattr(trial, "response", None) is not None:
        return trial_current(locked)  # answered: a resend, or a second answer from an old page
    if locked.stage != Stage.TRIALS or index != locked.next_trial:
        raise ServiceError(
            _("Trial %(index)s is not your current trial (you are on trial %(current)s).")
            % {"index": index, "current": locked.next_trial}, 409)
    plays = trial_plays(trial, clean, questions)
    before = getattr(trials.get(index - 1), "response", None)
    started = trial.shown_at or (before.submitted_at if before else None)
    if locked.study.require_full_playback:
        _watch_check(locked, trial, started, plays)
    if trial.is_pair:
        # A clip without a level of the factor (a practice clip) is named by its letter.
        factor = locked.study.compare_factor
        answers = preference_levels(questions, answers, left=trial.left, levels={
            "a": level_of(trial.stimulus, factor) or "a",
            "b": level_of(trial.stimulus_b, factor) or "b"})
    row_insert(Response(
        trial=trial, started_at=started, submission_key=clean["submission_key"],
        rt_ms=clean["rt_ms"], plays=plays[0], plays_b=plays[1] if trial.is_pair else None,
        **_answer_fields(questions, answers)))
    locked.next_trial += 1
    every = locked.study.breaks_every
    locked.stage = stage_after_answer(
        last=index >= locked.last_trial,
        pause_due=bool(every) and not trial.is_practice and index % every == 0)
    if locked.stage == Stage.DONE:
        locked.completed_at = timezone.now()
    locked.last_seen_at = timezone.now()
    due = trial_rows_due(locked.next_trial, locked.trials_written_to, locked.last_trial, BLOCK)
    if due:
        _trial_rows_write(locked, due)
        locked.trials_written_to = due.stop
    row_update(locked, ("next_trial", "stage", "completed_at", "last_seen_at",
                        "trials_written_to"))
    if locked.stage != Stage.TRIALS:
        return Showing(locked)
    return Showing(locked, trials[index + 1], trials.get(index + 2))


def _answer_fields(questions: tuple[Question, ...], answers: dict) -> dict:
    """A Response's fields for ``answers``: the paper's four in their columns, a study's
    own questions as one ``answers`` object."""
    return answers if questions == PAPER else {"answers": answers}


def _watch_check(participant: Participant, trial: Trial, started, plays: tuple[int, ...]) -> None:
    """Refuse an answer sent before the clip (each clip of a pair) could have been
    watched to its end, timed by the server from when the trial was shown, whatever
    the page says. A pair's clips play one at a time (playing one pauses the other),
    so watching both takes the sum of their lengths. Bots (enrolled through a signed
    link, links.py) rehearse at full speed."""
    pair = trial.is_pair
    if min(plays) < 1:
        raise TooFast(pair=pair)
    if participant.is_bot:
        return
    clips = (trial.stimulus, trial.stimulus_b) if pair else (trial.stimulus,)
    duration = sum(c.duration_s or 0 for c in clips)
    if watch_shortfall_s(duration, started, timezone.now()) > 0:
        raise TooFast(pair=pair)
