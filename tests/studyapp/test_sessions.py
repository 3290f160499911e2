"""Sessions (sessions.py): a participant's in a signed cookie, costing no query; a staff
member's in the database, so that logging out ends it."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from studyapp.sessions import SessionStore
from tests.studyapp.participant import Walker

pytestmark = pytest.mark.django_db

COOKIE = settings.SESSION_COOKIE_NAME


def test_a_participants_session_is_a_signed_cookie_read_without_a_query(small_study):
    w = Walker("small").consent()
    key = w.client.cookies[COOKIE].value
    assert ":" in key and not Session.objects.exists()
    with CaptureQueriesContext(connection) as queries:
        page = w.client.get("/s/small/about-you/")
        w.client.post("/s/small/about-you/", {"age": 30, "gender": "female"})
    assert page.status_code == 200 and w.participant.stage == "instructions"
    assert not [q for q in queries if "django_session" in q["sql"]]
    assert not Session.objects.exists()


def test_a_tampered_or_expired_participant_cookie_holds_no_one(small_study, settings):
    w = Walker("small").consent()
    data, stamp, signature = w.client.cookies[COOKIE].value.split(":")
    forged = Client()
    forged.cookies[COOKIE] = f"{data}:{stamp}:{signature[:-2]}xx"
    assert forged.get("/s/small/about-you/")["Location"] == "/s/small/"
    assert w.client.get("/s/small/about-you/").status_code == 200
    settings.SESSION_COOKIE_AGE = -1  # every signature is older than that
    assert w.client.get("/s/small/about-you/")["Location"] == "/s/small/"
    assert SessionStore(w.client.cookies[COOKIE].value).load() == {}


def test_a_staff_session_lives_in_the_database_and_logging_out_ends_it(small_study):
    get_user_model().objects.create_superuser("exp", password="pw-for-tests")
    browser = Walker("small").consent().client   # a participant's browser, signed
    login = browser.post("/admin/login/", {"username": "exp", "password": "pw-for-tests"})
    assert login.status_code == 302
    key = browser.cookies[COOKIE].value
    assert ":" not in key and Session.objects.filter(session_key=key).exists()
    assert browser.session["participant:small"]            # the participant's place is kept
    stolen = Client()
    stolen.cookies[COOKIE] = key
    assert stolen.get("/admin/").status_code == 200
    browser.post("/admin/logout/")
    assert not Session.objects.filter(session_key=key).exists()
    assert stolen.get("/admin/")["Location"].startswith("/admin/login/")


def test_an_expired_staff_session_is_dropped(small_study):
    store = SessionStore()
    store["_auth_user_id"] = "1"
    store.save()
    assert ":" not in store.session_key
    assert SessionStore(store.session_key).get("_auth_user_id") == "1"
    Session.objects.filter(session_key=store.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1))
    expired = SessionStore(store.session_key)
    assert expired.get("_auth_user_id") is None and expired.session_key is None
    assert SessionStore("no-such-session-key").load() == {}
