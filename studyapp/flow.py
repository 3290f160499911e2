"""The participant's path through a study, read top to bottom (paper 5.1.4).

One table, as oTree's ``page_sequence``: each stage, the page that shows it,
and the stage its form leads to. The server holds each participant's stage;
any other page they ask for sends them back to it (views.participant_page),
and services move participants on only as this table says.

    consent -> about_you -> instructions -> trials (practice trial 0, then the
    measured trials in the participant's own order) <-> pause -> done

Declining consent ends in ``declined``; withdrawing, possible from every page,
in ``withdrawn``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from studyapp.models import Participant

Stage = Participant.Stage


@dataclass(frozen=True)
class Step:
    """A stage: its page (URL name) and the stage sending the page's form leads to
    (None: the answers move trials on; an end has no next stage)."""

    page: str
    next: str | None = None


FLOW: dict[str, Step] = {
    Stage.CONSENT: Step("studyapp:consent", Stage.ABOUT_YOU),      # no consent: DECLINED
    Stage.ABOUT_YOU: Step("studyapp:about_you", Stage.INSTRUCTIONS),
    Stage.INSTRUCTIONS: Step("studyapp:instructions", Stage.TRIALS),
    Stage.TRIALS: Step("studyapp:trial"),                           # stage_after_answer
    Stage.PAUSE: Step("studyapp:pause", Stage.TRIALS),              # every N measured trials
    Stage.DONE: Step("studyapp:done"),
    Stage.DECLINED: Step("studyapp:declined"),
    Stage.WITHDRAWN: Step("studyapp:withdrawn"),
}
#: Stages no participant leaves.
ENDS = (Stage.DONE, Stage.DECLINED, Stage.WITHDRAWN)
#: Stages from which a participant may still withdraw (not after declining).
WITHDRAWABLE = tuple(stage for stage in FLOW if stage not in (Stage.DECLINED, Stage.WITHDRAWN))


def stage_next(stage: str, *, consent: bool = True) -> str:
    """The stage after sending ``stage``'s form (consent, questionnaire, instructions,
    pause); ValueError for a stage that has no form to send."""
    if stage == Stage.CONSENT and not consent:
        return Stage.DECLINED
    following = FLOW[stage].next
    if following is None:
        raise ValueError(f"stage {stage!r} is not left by sending a form")
    return following


def stage_after_answer(*, last: bool, pause_due: bool) -> str:
    """The stage after an answer: done after the last trial, a pause when one is due
    (paper 5.1.3: fatigue over 98-126 trials), else the next trial."""
    if last:
        return Stage.DONE
    return Stage.PAUSE if pause_due else Stage.TRIALS


def stage_url(participant: Participant) -> str:
    """Where this participant belongs now."""
    return reverse(FLOW[participant.stage].page, args=[participant.study.slug])
