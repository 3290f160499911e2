"""Prepared queries and single-row writes (prepared.py) give what the ORM gives."""

import uuid
from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.transaction import TransactionManagementError
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from studyapp.models import Participant, Response, Trial
from studyapp.prepared import Prepared, row_insert, row_update, rows_insert, rows_update
from studyapp.services import TRIAL_COLUMNS
from tests.studyapp.participant import Walker

pytestmark = pytest.mark.django_db

TRIALS = Prepared(lambda participant, first, end: Trial.objects
                  .select_related("stimulus", "stimulus_b", "response")
                  .filter(participant_id=participant, index__gte=first, index__lt=end)
                  .order_by("index"), participant=int, first=int, end=int)
PARTICIPANT = Prepared(lambda slug, pk: Participant.objects.select_related("study")
                       .filter(study__slug=slug, pk=pk), slug=str, pk=int)


def _fields(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def _two_walkers_with_answers():
    walkers = [Walker("small") for _ in range(2)]
    for w in walkers:
        w.to_trials()
        w.answer()
        w.answer()
    return walkers


def test_prepared_query_gives_the_querysets_objects_for_each_binding(small_study):
    walkers = _two_walkers_with_answers()
    for w in walkers:
        pk = w.participant.pk
        for first, end in ((0, 3), (1, 2), (2, 5), (500, 501)):
            expected = list(Trial.objects.select_related("stimulus", "stimulus_b", "response")
                            .filter(participant_id=pk, index__gte=first, index__lt=end)
                            .order_by("index"))
            got = TRIALS.fetch(participant=pk, first=first, end=end)
            assert [_fields(t) for t in got] == [_fields(t) for t in expected]
            assert len(got) == len(expected) == (0 if first >= 500 else end - first)
            with CaptureQueriesContext(connection) as queries:  # attached, not fetched again
                related = [(_fields(t.stimulus), getattr(t, "response", None) and
                            _fields(t.response)) for t in got]
            assert len(queries) == 0
            assert related == [(_fields(t.stimulus), getattr(t, "response", None) and
                                _fields(t.response)) for t in expected]
    # The answered trials came with their answers (datetimes, UUIDs converted back).
    answered = TRIALS.fetch(participant=walkers[0].participant.pk, first=0, end=2)
    assert [type(t.response.submission_key) for t in answered] == [uuid.UUID, uuid.UUID]
    assert all(t.response.submitted_at.tzinfo is not None for t in answered)


def test_prepared_query_binds_strings_and_finds_nothing_for_another_study(small_study):
    w = Walker("small")
    w.to_trials()
    pk = w.participant.pk
    found = PARTICIPANT.fetch(slug="small", pk=pk)
    assert [p.pk for p in found] == [pk] and found[0].study.slug == "small"
    assert PARTICIPANT.fetch(slug="other", pk=pk) == []
    assert PARTICIPANT.fetch(slug="small", pk=pk + 1000) == []


def test_prepared_query_asks_for_every_value_and_uses_every_placeholder(small_study):
    with pytest.raises(TypeError, match="expected"):
        PARTICIPANT.fetch(slug="small")
    unused = Prepared(lambda slug, pk: Participant.objects.filter(study__slug=slug),
                      slug=str, pk=int)
    with pytest.raises(ValueError, match="does not use pk"):
        unused.fetch(slug="small", pk=1)


@pytest.mark.django_db(transaction=True)  # autocommit outside atomic(), as in a view
def test_prepared_lock_needs_a_transaction(small_study):
    locking = Prepared(lambda pk: Participant.objects.select_for_update().filter(pk=pk), pk=int)
    with pytest.raises(TransactionManagementError):
        locking.fetch(pk=1)
    with transaction.atomic():
        assert locking.fetch(pk=1) == []


def test_row_insert_writes_what_create_would(small_study):
    w = Walker("small")
    w.to_trials()
    first, second = Trial.objects.filter(participant=w.participant).order_by("index")[:2]
    key = uuid.uuid4()
    before = timezone.now()
    mine = Response(trial=first, submission_key=key, response_emotion="joy", intensity=3,
                    sync=4, naturalness=5, rt_ms=900, plays=2)
    row_insert(mine)
    stored = Response.objects.get(pk=mine.pk)
    assert mine.pk is not None and not mine._state.adding
    assert stored.submitted_at >= before and stored.submitted_at == mine.submitted_at
    assert _fields(stored) == _fields(mine)
    own = Response(trial=second, submission_key=uuid.uuid4(), answers={"q": [1, "b"]}, plays=1)
    row_insert(own)
    assert Response.objects.get(pk=own.pk).answers == {"q": [1, "b"]}
    with pytest.raises(IntegrityError), transaction.atomic():  # the unique key still holds
        row_insert(Response(trial=second, submission_key=key, plays=1))


def test_row_update_writes_only_the_named_fields(small_study):
    w = Walker("small")
    w.to_trials()
    participant = Participant.objects.get(pk=w.participant.pk)
    stale = Participant.objects.get(pk=participant.pk)
    participant.next_trial, participant.age = 7, 99
    participant.last_seen_at = seen = timezone.now() - timedelta(minutes=3)
    row_update(participant, ("next_trial", "last_seen_at"))
    stored = Participant.objects.get(pk=participant.pk)
    assert (stored.next_trial, stored.last_seen_at) == (7, seen)
    assert stored.age == stale.age != 99


def test_rows_update_changes_the_row_only_while_the_condition_holds(small_study):
    w = Walker("small")
    w.to_trials()
    pk = w.participant.pk
    moved = rows_update(Participant, pk, {"stage": "pause", "age": 41}, where={"stage": "trials"})
    stale = rows_update(Participant, pk, {"stage": "done"}, where={"stage": "trials"})
    stored = Participant.objects.get(pk=pk)
    assert (moved, stale) == (1, 0) and (stored.stage, stored.age) == ("pause", 41)
    trial = Trial.objects.get(participant_id=pk, index=1)
    shown = timezone.now() - timedelta(minutes=2)
    first = rows_update(Trial, trial.pk, {"shown_at": shown}, where={"shown_at": None})
    second = rows_update(Trial, trial.pk, {"shown_at": timezone.now()}, where={"shown_at": None})
    assert (first, second) == (1, 0)
    assert Trial.objects.get(pk=trial.pk).shown_at == shown


def test_rows_insert_rows_read_back_as_written(small_study):
    w = Walker("small")
    w.to_trials()
    participant = w.participant
    stimuli = list(small_study.stimuli.order_by("pk")[:3])
    rows = [(participant.pk, 50 + i, s.pk, None, "", bool(i % 2), {"intensity": i} if i else None)
            for i, s in enumerate(stimuli)]
    rows_insert(Trial, TRIAL_COLUMNS, rows)
    stored = Trial.objects.filter(participant=participant, index__gte=50).order_by("index")
    assert [(t.index, t.stimulus_id, t.is_practice, t.check_answer) for t in stored] == [
        (50, stimuli[0].pk, False, None), (51, stimuli[1].pk, True, {"intensity": 1}),
        (52, stimuli[2].pk, False, {"intensity": 2})]
    with pytest.raises(IntegrityError), transaction.atomic():  # the unique index still holds
        rows_insert(Trial, TRIAL_COLUMNS, rows[:1])


def test_prepared_rows_are_the_selected_fields_as_the_orm_reads_them(small_study):
    clips = Prepared(lambda study: small_study.stimuli.model.objects.filter(study_id=study)
                     .order_by("pk").only("pk", "is_practice", "group"), study=int)
    rows = clips.fetch_rows(study=small_study.pk)
    assert [tuple(r) for r in rows] == list(
        small_study.stimuli.order_by("pk").values_list("id", "is_practice", "group"))
    assert isinstance(rows[0].is_practice, bool) and rows[0]._fields == ("id", "is_practice",
                                                                         "group")
    assert clips.fetch_rows(study=small_study.pk + 1000) == []
