"""Enrolment: group balance, stored order, Prolific return, concurrency."""

import threading

import pytest
from django.db import connections

from studyapp.errors import ServiceError
from studyapp.models import Participant
from studyapp.ordering import trial_order
from studyapp.selectors import trials_planned
from studyapp.services import AlreadyEnrolled, participant_enroll
from studyapp.studies import study_build


@pytest.fixture
def task1(db, make_set):
    return study_build(manifest=make_set("t1", design="task1"), design="task1", slug="t1").study


def test_task1_participants_get_98_clips_of_one_group_balanced(task1):
    people = [participant_enroll(study=task1) for _ in range(8)]
    assert sorted(p.group for p in people) == ["1", "1", "2", "2", "3", "3", "4", "4"]
    for p in people:
        trials = trials_planned(p)
        assert trials[0].index == 0 and trials[0].is_practice
        measured = trials[1:]
        assert [t.index for t in measured] == list(range(1, 99))
        assert {t.stimulus.group for t in measured} == {p.group}
        assert len({t.stimulus_id for t in measured}) == 98


def test_order_is_the_seeded_permutation_stored_at_enrolment(task1):
    p = participant_enroll(study=task1, seed=42)
    stored = [t.stimulus_id for t in trials_planned(p) if not t.is_practice]
    pool = list(task1.stimuli.filter(is_practice=False, group=p.group).order_by("pk"))
    assert stored == [s.pk for s in trial_order(pool, 42)]
    q = participant_enroll(study=task1, seed=43)
    other = [t.stimulus_id for t in trials_planned(q) if not t.is_practice]
    assert other != stored


def test_a_prolific_participant_enrols_once(small_study):
    """Enrolling again under the same PID and study ID names the place already held;
    whether the one asking gets it is the view's decision (test_takeover.py)."""
    first = participant_enroll(study=small_study, external_pid="P1", external_study_id="S1")
    with pytest.raises(AlreadyEnrolled) as again:
        participant_enroll(study=small_study, external_pid="P1", external_study_id="S1")
    other = participant_enroll(study=small_study, external_pid="P2", external_study_id="S1")
    assert again.value.participant.pk == first.pk and other.pk != first.pk
    assert Participant.objects.count() == 2


def test_closed_study_takes_nobody_new_but_keeps_returning_people(small_study):
    first = participant_enroll(study=small_study, external_pid="P1", external_study_id="S1")
    small_study.is_open = False
    small_study.save()
    with pytest.raises(AlreadyEnrolled) as again:
        participant_enroll(study=small_study, external_pid="P1", external_study_id="S1")
    assert again.value.participant.pk == first.pk
    with pytest.raises(ServiceError, match="closed"):
        participant_enroll(study=small_study)


@pytest.mark.django_db(transaction=True)
def test_concurrent_enrolment_keeps_groups_balanced(make_set):
    study = study_build(manifest=make_set("t1", design="task1"), design="task1", slug="t1").study
    barrier = threading.Barrier(8)
    errors = []

    def enrol():
        try:
            barrier.wait()
            participant_enroll(study=study)
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=enrol) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    groups = sorted(Participant.objects.values_list("group", flat=True))
    assert groups == ["1", "1", "2", "2", "3", "3", "4", "4"]
