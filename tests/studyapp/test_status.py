"""study_status and the dashboard summary: counts, completion time, drop-outs, balance."""

import io
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from studyapp.models import Participant
from studyapp.status import study_summary
from tests.studyapp.participant import Walker

pytestmark = pytest.mark.django_db


def test_summary_counts_completions_dropouts_and_answers(small_study):
    done = Walker("small")
    done.to_trials()
    for _ in range(7):
        done.answer()
    gone = Walker("small")
    gone.to_trials()
    gone.answer()
    gone.answer()
    Participant.objects.filter(pk=gone.participant.pk).update(
        last_seen_at=timezone.now() - timedelta(hours=3))
    Walker("small")   # on the information sheet: not enrolled until they answer it
    Walker("small").consent()   # just enrolled: active
    s = study_summary(small_study)
    assert s["totals"] == {"enrolled": 3, "active": 1, "inactive": 1, "done": 1,
                           "withdrawn": 0, "declined": 0}
    assert s["median_completion_s"] is not None and s["median_completion_s"] >= 0
    assert [(d["participant"], d["stopped_at_trial"]) for d in s["dropouts"]] == [
        (gone.participant.code, 2)]
    counts = {row["stimulus_id"]: row["answers"] for row in s["answers_per_stimulus"]}
    assert sum(counts.values()) == 6 + 1 and (s["answers_min"], s["answers_max"]) == (1, 2)

    out = io.StringIO()
    call_command("study_status", "small", stimuli=True, stdout=out)
    text = out.getvalue()
    assert "      done" in text and "stopped at trial 2" in text and "(unbalanced)" not in text
    assert all(stimulus in text for stimulus in counts)


def test_study_status_unknown_study():
    with pytest.raises(CommandError, match="no study"):
        call_command("study_status", "nope")
