"""Walk a participant through the study over HTTP with Django's test client."""

from __future__ import annotations

import json
import re
import uuid
from datetime import timedelta

from django.db.models import F
from django.test import Client

from studyapp.models import Participant, Response, Trial

PAPER_ANSWERS = {"response_emotion": "joy", "intensity": 5, "sync": 4, "naturalness": 3}
#: A pair trial's answers to the default pair questions, as the page sends them (sides).
PAIR_ANSWERS = {"lip_sync": "left", "naturalness": "right", "expression": "none"}


class Walker:
    """A participant in a test: one client (one session cookie) on one study."""

    def __init__(self, slug: str, query: str = "", client: Client | None = None):
        self.slug = slug
        self.client = client or Client()
        self.entry = self.client.get(f"/s/{slug}/{query}")

    @property
    def participant(self) -> Participant:
        pk = self.client.session[f"participant:{self.slug}"]
        return Participant.objects.get(pk=pk)

    def url(self, page: str) -> str:
        return f"/s/{self.slug}/{page}"

    def consent(self) -> Walker:
        """Answer the consent form: a newcomer is enrolled then (views.consent)."""
        self.client.post(self.url("consent/"), {"consent": "yes"})
        return self

    def to_trials(self, age: int = 22, gender: str = "female") -> None:
        self.consent()
        self.client.post(self.url("about-you/"), {"age": age, "gender": gender})
        self.client.post(self.url("instructions/"))

    def current(self) -> dict:
        """The trial the trial page shows (trialIndex, clipUrl, ...)."""
        page = self.client.get(self.url("trial/"))
        assert page.status_code == 200, page
        match = re.search(r'<script id="trial-config" type="application/json">(.*?)</script>',
                          page.content.decode())
        return json.loads(match.group(1))["trial"]

    def watch(self) -> None:
        """Let a minute pass, as if the clip on screen was watched: the server times an
        answer from when its trial was shown (answers.watch_shortfall_s), so every
        time recorded for this participant moves a minute back, keeping their order."""
        minute = timedelta(minutes=1)
        participant = self.participant
        Trial.objects.filter(participant=participant, shown_at__isnull=False).update(
            shown_at=F("shown_at") - minute)
        Response.objects.filter(trial__participant=participant).update(
            submitted_at=F("submitted_at") - minute, started_at=F("started_at") - minute)

    def answer(self, trial_index=None, watched=True, answers=None, **fields):
        """Send an answer to ``trial_index`` (default: the trial on screen) after
        watching its clip (``watched=False``: at once); ``answers`` to the study's
        questions (default: the paper's four), ``fields`` override any field."""
        if trial_index is None:
            trial_index = self.current()["trialIndex"]
        if watched:
            self.watch()
        body = {"submission_key": str(uuid.uuid4()), "trial_index": trial_index,
                **(PAPER_ANSWERS if answers is None else answers),
                "rt_ms": 850, "plays": 1, **fields}
        body = {k: v for k, v in body.items() if v is not ...}
        return self.client.post(self.url("answer/"), json.dumps(body),
                                content_type="application/json")

    def answer_pair(self, trial_index=None, watched=True, answers=None, **fields):
        """Send an answer to a pair trial: the sides chosen (default PAIR_ANSWERS) and the
        plays of each side (one each) instead of ``plays``; ``fields`` override any field."""
        return self.answer(trial_index, watched, PAIR_ANSWERS if answers is None else answers,
                           **{"plays": ..., "plays_left": 1, "plays_right": 1, **fields})
