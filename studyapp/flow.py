"""The participant's path through a study, read top to bottom (paper 5.1.4).

information sheet + consent -> about you -> instructions -> practice trial ->
trials in the participant's own order (with pauses) -> completion; a participant
may withdraw from any page. The server holds each
participant's stage; any other page they ask for sends them back to it.
"""

from __future__ import annotations

from django.urls import reverse

from studyapp.models import Participant

Stage = Participant.Stage

PAGE_SEQUENCE = (
    (Stage.CONSENT, "studyapp:consent"),
    (Stage.ABOUT_YOU, "studyapp:about_you"),
    (Stage.INSTRUCTIONS, "studyapp:instructions"),
    (Stage.TRIALS, "studyapp:trial"),  # the practice trial is trial 0
    (Stage.BREAK, "studyapp:pause"),    # every N trials, when the study asks for breaks
    (Stage.DONE, "studyapp:done"),
    (Stage.DECLINED, "studyapp:declined"),
    (Stage.WITHDRAWN, "studyapp:withdrawn"),
)
_URL_NAMES = dict(PAGE_SEQUENCE)


def stage_url(participant: Participant) -> str:
    """Where this participant belongs now."""
    return reverse(_URL_NAMES[participant.stage], args=[participant.study.slug])
