"""A participant's trial rows are written as they come near them, from the plan drawn at
enrolment (services.trial_rows_due): an arrival writes three rows, not the whole
sequence, and what the rows end up holding is exactly the plan."""

import importlib

import pytest
from django.apps import apps

from studyapp import services
from studyapp.models import PLAN_COLUMNS, Participant, Stimulus, Trial
from studyapp.selectors import trials_planned
from studyapp.services import AHEAD, trial_rows_due
from tests.studyapp.participant import Walker


def test_enrolment_writes_the_first_trial_and_the_ahead_after_it():
    assert AHEAD == 2
    assert trial_rows_due(0, 0, 126, block=0) == range(0, 3)      # practice, 1, 2
    assert trial_rows_due(1, 1, 126, block=0) == range(1, 4)      # no practice trial
    assert trial_rows_due(0, 0, 1, block=0) == range(0, 2)        # a study of one clip


def test_answers_write_a_block_only_when_rows_run_short():
    assert trial_rows_due(1, 3, 126, block=32) == range(3, 35)    # row 3 needed: a block
    assert trial_rows_due(2, 35, 126, block=32) == range(0)       # plenty ahead
    assert trial_rows_due(32, 35, 126, block=32) == range(0)      # 34 still there
    assert trial_rows_due(33, 35, 126, block=32) == range(35, 67)
    assert trial_rows_due(120, 99, 126, block=32) == range(99, 127)  # never past the last
    assert trial_rows_due(125, 127, 126, block=32) == range(0)    # all written
    assert trial_rows_due(5, 3, 126, block=1) == range(3, 8)      # at least to current + AHEAD


FIELDS = [f"{c}_id" if c.startswith("stimulus") else c for c in PLAN_COLUMNS]


def _rows(participant: Participant) -> list[list]:
    return [list(row) for row in Trial.objects.filter(participant=participant)
            .order_by("index").values_list(*FIELDS)]


@pytest.mark.django_db
def test_rows_are_written_ahead_of_the_participant_and_end_as_the_plan(small_study, monkeypatch):
    monkeypatch.setattr(services, "BLOCK", 2)
    small_study.attention_checks = 1
    small_study.save()
    walker = Walker("small")
    walker.to_trials()
    participant = walker.participant
    assert participant.last_trial == 7 == sum(not t.is_practice for t in trials_planned(participant))
    assert _rows(participant) == participant.plan[:3]
    written = []
    while (participant := walker.participant).stage == "trials":
        index = walker.current()["trialIndex"]
        trial = Trial.objects.get(participant=participant, index=index)
        check = trial.check_answer or {}
        assert walker.answer(**check).status_code == 200
        participant = walker.participant
        written.append(participant.trials_written_to)
        # Rows up to AHEAD past the new current trial, never beyond the plan.
        assert Trial.objects.filter(participant=participant).count() == \
            participant.trials_written_to >= min(participant.next_trial + AHEAD, 7) + 1
    assert written == [5, 5, 7, 7, 8, 8, 8, 8]                   # blocks of 2, then the last
    assert participant.stage == "done" and _rows(participant) == participant.plan
    assert Trial.objects.filter(participant=participant, response__isnull=True).count() == 0


@pytest.mark.django_db
def test_a_planned_clip_goes_to_the_participant_only_once_they_come_near_it(small_study):
    walker = Walker("small")
    walker.to_trials()
    last = walker.participant.plan[-1]
    url = f"/s/small/clip/{Stimulus.objects.get(pk=last[1]).url_name}.mp4"
    assert walker.client.get(url).status_code == 404              # trial 6: not yet near
    assert walker.answer().status_code == 200                     # the practice: a block
    assert walker.client.get(url).status_code == 200


@pytest.mark.django_db
def test_participants_enrolled_before_plans_get_theirs_from_their_rows(small_study, monkeypatch):
    monkeypatch.setattr(services, "BLOCK", 1)
    walker = Walker("small")
    walker.to_trials()
    participant = walker.participant
    for _ in range(2):
        walker.answer()
    plan, written = participant.plan, walker.participant.trials_written_to
    assert written == 5
    Trial.objects.bulk_create(  # as enrolment wrote every row before plans
        t for t in trials_planned(participant) if t.index >= written)
    Participant.objects.filter(pk=participant.pk).update(plan=[], last_trial=0,
                                                         trials_written_to=0)
    migration = importlib.import_module("studyapp.migrations.0010_trial_plan")
    migration.plans_from_rows(apps, None)
    participant.refresh_from_db()
    assert (participant.plan, participant.last_trial, participant.trials_written_to) == (
        plan, 6, 7)
    while walker.participant.stage == "trials":                   # and they go on to the end
        assert walker.answer().status_code == 200
    assert Trial.objects.filter(participant=participant, response__isnull=True).count() == 0


@pytest.mark.django_db
def test_a_long_plan_is_kept_out_of_the_participants_row(small_study):
    """Every answer writes a new version of the participant's row (PostgreSQL): the plan,
    which never changes, stays out of it, so that version stays small."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's storage of a column")
    walker = Walker("small")
    walker.to_trials()
    Participant.objects.filter(pk=walker.participant.pk).update(plan=[[i, 1, None, "", False, None]
                                                                      for i in range(200)])
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_column_size(plan) FROM studyapp_participant WHERE id = %s",
                       [walker.participant.pk])
        stored = cursor.fetchone()[0]
        cursor.execute("SELECT attstorage FROM pg_attribute WHERE attname = 'plan' AND "
                       "attrelid = 'studyapp_participant'::regclass")
        storage = cursor.fetchone()[0]
        cursor.execute("SELECT pg_relation_size(reltoastrelid) FROM pg_class WHERE "
                       "oid = 'studyapp_participant'::regclass")
        apart = cursor.fetchone()[0]
    # Stored uncompressed (by default it is compressed and kept in the row), in the
    # table's TOAST, since no row version can hold it.
    assert storage == "e" and stored > 8000 and apart > 0
