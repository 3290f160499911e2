"""No 500s and no stale pages, whatever a participant's browser sends or caches."""

import json

import pytest

from studyapp.models import Participant, Response
from tests.studyapp.participant import Walker

pytestmark = pytest.mark.django_db


def test_a_deeply_nested_answer_body_is_a_400(walker):
    for body in ("[" * 100_000 + "]" * 100_000, '{"a":' * 30_000 + "1" + "}" * 30_000):
        reply = walker.client.post(walker.url("answer/"), body, content_type="application/json")
        assert reply.status_code == 400 and "JSON object" in reply.json()["error"]
    assert not Response.objects.exists()


def test_nul_characters_never_reach_the_database(small_study):
    """PostgreSQL refuses NUL in text (a 500 before); SQLite would have stored it."""
    w = Walker("small")
    w.client.post(w.url("consent/"), {"consent": "yes"})
    page = w.client.post(w.url("about-you/"), {"age": 30, "gender": "self-described",
                                               "gender_self": "a\x00b"})
    assert page.status_code == 200 and b"Null characters are not allowed" in page.content
    assert w.participant.gender == ""
    w.client.post(w.url("about-you/"), {"age": 30, "gender": "female"})
    w.client.post(w.url("instructions/"))
    w.current()
    w.watch()
    for field, value in (("submission_key", "\x00"), ("response_emotion", "joy\x00"),
                         ("trial_index", "0\x00")):
        body = {"submission_key": "7d1f3c1e-6f5e-4c59-9a51-1e3c2b6f0a11", "trial_index": 0,
                "response_emotion": "joy", "intensity": 5, "sync": 5, "naturalness": 5,
                "plays": 1, field: value}
        reply = w.client.post(w.url("answer/"), json.dumps(body), content_type="application/json")
        assert reply.status_code == 400, field
    assert not Response.objects.exists()


def test_participant_pages_are_never_cached(walker):
    """Otherwise Back shows an old trial from the browser's cache (Chromium did)."""
    w = Walker("small")
    responses = [w.entry, w.client.get(w.url("consent/"))]
    w.to_trials()
    responses += [w.client.get(w.url(p)) for p in ("trial/", "instructions/", "withdraw/")]
    responses.append(w.answer())
    responses.append(w.client.get("/s/small/resume/"))
    for response in responses:
        assert "no-store" in response["Cache-Control"], response.request["PATH_INFO"]
    page = w.client.get(w.url("trial/"))
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    w.client.post(w.url("withdraw/"))
    assert "no-store" in w.client.get(w.url("withdrawn/"))["Cache-Control"]
    assert Participant.objects.filter(stage="withdrawn").count() == 1
