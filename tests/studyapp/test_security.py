"""Security: staff-only pages, CSRF, hostile bodies, a fuzz test, check --deploy."""

import json
import os
import subprocess
import sys
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from studyapp.models import Participant, Response, Trial
from studyapp.questions import PAPER, PROTOCOL_FIELDS

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db


def test_participants_cannot_reach_dashboard_export_or_admin(walker):
    for url in ("/staff/", "/staff/small/", "/staff/small/responses.csv",
                "/staff/small/participants.csv", "/admin/studyapp/response/"):
        response = walker.client.get(url)
        assert response.status_code == 302 and "/admin/login/" in response["Location"], url


def test_staff_see_the_dashboard_and_download_the_export(walker, small_study):
    walker.answer()
    staff = get_user_model().objects.create_user("exp", password="pw", is_staff=True)
    client = Client()
    client.force_login(staff)
    page = client.get("/staff/small/")
    assert page.status_code == 200 and b"Download responses" in page.content
    csv = client.get("/staff/small/responses.csv")
    assert csv["Content-Type"].startswith("text/csv")
    assert len(csv.content.decode().strip().splitlines()) == 2
    assert client.get("/staff/small/secrets.csv").status_code == 404


def test_answers_need_the_csrf_token(small_study):
    client = Client(enforce_csrf_checks=True)
    client.get("/s/small/", follow=True)
    client.post("/s/small/consent/", {"consent": "yes",
                                      "csrfmiddlewaretoken": client.cookies["csrftoken"].value})
    pk = client.session["participant:small"]
    Participant.objects.filter(pk=pk).update(stage="trials")
    body = {"submission_key": str(uuid.uuid4()), "trial_index": 0,
            "response_emotion": "joy", "intensity": 5, "sync": 5, "naturalness": 5, "plays": 1}
    reply = client.post("/s/small/answer/", json.dumps(body), content_type="application/json")
    assert reply.status_code == 403
    assert not Response.objects.exists()
    page = client.get("/s/small/trial/").content.decode()
    token = json.loads(page.split('type="application/json">')[1].split("</script>")[0])["csrfToken"]
    Trial.objects.filter(participant_id=pk).update(shown_at=timezone.now() - timedelta(minutes=1))
    reply = client.post("/s/small/answer/", json.dumps(body), content_type="application/json",
                        HTTP_X_CSRFTOKEN=token)
    assert reply.status_code == 200 and Response.objects.count() == 1


@pytest.mark.parametrize("body", [
    {"unexpected": 1},
    {"trial_index": "9" * 5000},
    {"trial_index": 10**30},
    {"intensity": float("inf")},
    {"response_emotion": ["joy"]},
    {"response_emotion": {"a": 1}},
    {"trial_index": None},
    {"submission_key": 12},
])
def test_hostile_answer_bodies_get_4xx_and_store_nothing(walker, body):
    config = walker.current()
    base = {"submission_key": str(uuid.uuid4()), "trial_index": config["trialIndex"],
            "response_emotion": "joy", "intensity": 5,
            "sync": 5, "naturalness": 5, "plays": 1}
    payload = json.dumps({**base, **body})
    reply = walker.client.post(walker.url("answer/"), payload, content_type="application/json")
    assert 400 <= reply.status_code < 500
    assert not Response.objects.exists()


def test_oversized_and_non_object_bodies_are_refused(walker):
    big = json.dumps({"stimulus_id": "x" * 400_000})
    assert walker.client.post(walker.url("answer/"), big,
                              content_type="application/json").status_code == 400
    for raw in ("[]", "null", "\"text\"", "{", b"\xff\xfe"):
        reply = walker.client.post(walker.url("answer/"), raw, content_type="application/json")
        assert reply.status_code == 400
    assert not Response.objects.exists()


values = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True),
                   st.text(max_size=30), st.lists(st.integers(), max_size=3),
                   st.dictionaries(st.text(max_size=5), st.integers(), max_size=2))
# The fields an answer to the paper's questions has, and one it must not.
FIELDS = sorted({*PROTOCOL_FIELDS, *(q.id for q in PAPER)}) + ["extra"]
bodies = st.dictionaries(st.sampled_from(FIELDS), values)


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=bodies)
def test_fuzzed_answer_bodies_never_cause_a_server_error(walker, body):
    reply = walker.client.post(walker.url("answer/"), json.dumps(body),
                               content_type="application/json")
    assert reply.status_code < 500, reply.content


def test_check_deploy_is_clean_with_production_settings():
    env = {**os.environ, "DEBUG": "0", "SECRET_KEY": "x7#Kd92-long-random-" + "q" * 40,
           "ALLOWED_HOSTS": "study.example.org", "DJANGO_SETTINGS_MODULE": "studyapp.settings"}
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy",
                             "--fail-level", "WARNING"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_refuse_to_start_without_a_secret_key():
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT,
                            env={**env, "DEBUG": "0"}, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode != 0 and "SECRET_KEY must be set" in result.stderr
