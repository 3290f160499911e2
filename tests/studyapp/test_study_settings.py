"""Study settings from the admin: breaks, practice on/off, pilot, attention checks,
abandoned places, withdrawal, closing."""

from datetime import timedelta

import pytest
from django.utils import timezone

from studyapp.links import pilot_link, pilot_param
from studyapp.models import Participant, Response
from studyapp.selectors import trials_planned
from studyapp.services import AlreadyEnrolled, participant_enroll
from studyapp.status import study_summary
from studyapp.studies import study_build
from tests.studyapp.participant import Walker

pytestmark = pytest.mark.django_db


def configure(study, **fields):
    for name, value in fields.items():
        setattr(study, name, value)
    study.save()
    return study


def test_pause_screen_after_every_n_trials(small_study):
    configure(small_study, breaks_every=2)
    w = Walker("small")
    w.to_trials()
    w.answer()                       # practice: no break
    w.answer()                       # trial 1
    assert w.participant.stage == "trials"
    reply = w.answer()               # trial 2 -> break
    assert reply.json()["next"] == "/s/small/pause/"
    assert w.client.get(w.url("trial/"))["Location"] == "/s/small/pause/"
    page = w.client.get(w.url("pause/"))
    assert b"answered 2 of 6" in page.content
    assert w.client.post(w.url("pause/"))["Location"] == "/s/small/trial/"
    assert w.current()["trialIndex"] == 3
    for _ in range(4):
        w.answer()                   # 3, 4 (break), ...
        if w.participant.stage == "pause":
            w.client.post(w.url("pause/"))
    assert w.participant.stage == "done"   # no break after the last trial


def test_practice_off_starts_at_trial_one(small_study):
    configure(small_study, practice_enabled=False)
    w = Walker("small")
    w.to_trials()
    assert w.current()["trialIndex"] == 1
    assert not any(t.is_practice for t in trials_planned(w.participant))


def test_pilot_by_study_setting_or_signed_pilot_link(small_study):
    """Pilot data is left out of the analysis, so only the experimenter's signed pilot
    link (study_status, dashboard) makes a pilot: a bare ?pilot=1 is refused."""
    w = Walker("small", "?pilot=" + pilot_param(small_study)).consent()
    assert w.participant.is_pilot
    assert pilot_link(small_study) == "/s/small/?pilot=" + pilot_param(small_study)
    assert not Walker("small").consent().participant.is_pilot
    for forged in ("1", "true", pilot_param(small_study)[:-1] + "x", ""):
        bare = Walker("small", f"?pilot={forged}")
        assert bare.entry.status_code == 400 and b"pilot link is not valid" in bare.entry.content
    assert Participant.objects.filter(is_pilot=True).count() == 1
    configure(small_study, is_pilot=True)
    assert Walker("small").consent().participant.is_pilot


def test_attention_checks_are_placed_scored_and_exported(small_study):
    configure(small_study, attention_checks=2)
    w = Walker("small")
    w.to_trials()
    planned = trials_planned(w.participant)
    checks = [t for t in planned if t.check_answer is not None]
    assert len(checks) == 2 and all(t.index >= 1 for t in checks)
    assert sum(not t.is_practice for t in planned) == 8
    for _ in range(9):
        index = w.current()["trialIndex"]
        trial = w.participant.trials.get(index=index)
        if trial.check_answer:
            page = w.client.get(w.url("trial/")).content.decode()
            assert "Attention check" in page
            first = trial.index == checks[0].index
            w.answer(response_emotion=trial.check_answer["response_emotion"],
                     intensity=trial.check_answer["intensity"] if first else
                     trial.check_answer["intensity"] % 7 + 1)
        else:
            w.answer()
    from studyapp.selectors import participant_rows, response_rows

    rows = [r for r in response_rows(small_study) if r["attention_check"] == 1]
    assert sorted(r["attention_passed"] for r in rows) == [0, 1]
    assert all(r["attention_passed"] == "" for r in response_rows(small_study)
               if r["attention_check"] == 0)
    row = next(participant_rows(small_study))
    assert (row["checks_passed"], row["checks_total"]) == (1, 2)
    assert study_summary(small_study)["attention"] == {"answered": 2, "passed": 1}


def test_inactive_participants_free_their_group_place_but_can_resume(make_set):
    study = study_build(manifest=make_set("t1", design="task1"), design="task1", slug="t1").study
    first = participant_enroll(study=study, external_pid="A", external_study_id="S", seed=1)
    Participant.objects.filter(pk=first.pk).update(
        last_seen_at=timezone.now() - timedelta(minutes=study.inactive_minutes + 1))
    others = [participant_enroll(study=study, seed=s) for s in range(2, 6)]
    groups = sorted(p.group for p in others)
    assert groups.count(first.group) == 1 and len(set(groups)) == 4
    with pytest.raises(AlreadyEnrolled) as back:
        participant_enroll(study=study, external_pid="A", external_study_id="S")
    assert back.value.participant.pk == first.pk


def test_withdrawal_from_any_page_marks_data_and_leaves_it_out(small_study):
    w = Walker("small")
    w.to_trials()
    w.answer()
    page = w.client.get(w.url("trial/"))
    assert b"Withdraw from the study" in page.content
    confirm = w.client.get(w.url("withdraw/"))
    assert b"Withdraw from the study?" in confirm.content
    assert w.client.post(w.url("withdraw/"))["Location"] == "/s/small/withdrawn/"
    assert w.participant.stage == "withdrawn" and w.participant.withdrawn_at
    assert w.client.get(w.url("trial/"))["Location"] == "/s/small/withdrawn/"
    assert w.answer(trial_index=1).status_code == 409
    from studyapp.selectors import response_rows

    assert list(response_rows(small_study)) == []
    assert len(list(response_rows(small_study, include_withdrawn=True))) == 1
    assert Response.objects.count() == 1     # kept, marked


def test_closing_lets_those_in_progress_finish(small_study):
    w = Walker("small")
    w.to_trials()
    configure(small_study, is_open=False)
    assert w.answer().status_code == 200
    newcomer = Walker("small")
    assert newcomer.entry.status_code == 403 and b"closed" in newcomer.entry.content


def test_device_screening_settings_reach_the_page(small_study):
    configure(small_study, min_window_width=1024, min_window_height=700)
    page = Walker("small").client.get("/s/small/consent/")
    assert b'data-min-width="1024" data-min-height="700"' in page.content
