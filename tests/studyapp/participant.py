"""Walk a participant through the study over HTTP with Django's test client."""

from __future__ import annotations

import json
import re
import uuid

from django.test import Client

from studyapp.models import Participant


class Walker:
    """A participant in a test: one client (one session cookie) on one study."""

    def __init__(self, slug: str, query: str = ""):
        self.slug = slug
        self.client = Client()
        self.entry = self.client.get(f"/s/{slug}/{query}")

    @property
    def participant(self) -> Participant:
        pk = self.client.session[f"participant:{self.slug}"]
        return Participant.objects.get(pk=pk)

    def url(self, page: str) -> str:
        return f"/s/{self.slug}/{page}"

    def to_trials(self, age: int = 22, gender: str = "female") -> None:
        self.client.post(self.url("consent/"), {"consent": "yes"})
        self.client.post(self.url("about-you/"), {"age": age, "gender": gender})
        self.client.post(self.url("instructions/"))

    def current(self) -> dict:
        """The trial the trial page shows (trialIndex, stimulusId, clipUrl, ...)."""
        page = self.client.get(self.url("trial/"))
        assert page.status_code == 200, page
        match = re.search(r'<script id="trial-config" type="application/json">(.*?)</script>',
                          page.content.decode())
        return json.loads(match.group(1))["trial"]

    def answer(self, trial_index=None, stimulus_id=None, **fields):
        if trial_index is None or stimulus_id is None:
            config = self.current()
            trial_index = config["trialIndex"] if trial_index is None else trial_index
            stimulus_id = config["stimulusId"] if stimulus_id is None else stimulus_id
        body = {"submission_key": str(uuid.uuid4()), "trial_index": trial_index,
                "stimulus_id": stimulus_id, "response_emotion": "joy", "intensity": 5,
                "sync": 4, "naturalness": 3, "rt_ms": 850, "plays": 1, **fields}
        body = {k: v for k, v in body.items() if v is not ...}
        return self.client.post(self.url("answer/"), json.dumps(body),
                                content_type="application/json")
