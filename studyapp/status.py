"""What an experimenter watches while a study runs: one summary for the
dashboard page and the ``study_status`` command alike.
"""

from __future__ import annotations

import statistics
from collections import Counter
from datetime import timedelta

from django.utils import timezone

from studyapp.flow import ENDS
from studyapp.languages import CHOICE, DEFAULT, OWN_TEXTS, languages
from studyapp.links import pilot_link
from studyapp.models import Participant, Study
from studyapp.questions import question_set, untranslated
from studyapp.selectors import answers_per_stimulus, attention_check_results, study_participants

Stage = Participant.Stage
STATUSES = ("enrolled", "active", "inactive", "done", "withdrawn", "declined")


def participant_status(participant: Participant, inactive_since) -> str:
    """One word: the end a participant reached (done, withdrawn, declined, as flow.ENDS
    names them), else active or inactive (a drop-out so far)."""
    if participant.stage in ENDS:
        return str(participant.stage)
    seen = participant.last_seen_at or participant.created_at
    return "active" if seen >= inactive_since else "inactive"


def study_summary(study: Study) -> dict:
    """Counts per group and status, completion times, drop-outs, answers per stimulus."""
    now = timezone.now()
    inactive_since = now - timedelta(minutes=study.inactive_minutes)
    participants = study_participants(study)
    groups: dict[str, Counter] = {}
    for p in participants:
        counts = groups.setdefault(p.group or "-", Counter())
        counts["enrolled"] += 1
        counts[participant_status(p, inactive_since)] += 1
    durations = [(p.completed_at - p.created_at).total_seconds()
                 for p in participants if p.completed_at]
    dropouts = [
        {"participant": p.code, "group": p.group, "stage": p.stage,
         "stopped_at_trial": p.next_trial, "last_seen_at": p.last_seen_at, "bot": p.is_bot}
        for p in participants
        if participant_status(p, inactive_since) in ("inactive", "withdrawn")
    ]
    per_stimulus_rows = answers_per_stimulus(study)
    counts = [row["answers"] for row in per_stimulus_rows] or [0]
    too_fast = [{"participant": p.code, "group": p.group, "refused": p.too_fast_answers,
                 "stage": p.stage} for p in participants if p.too_fast_answers]
    answered, passed = attention_check_results(study)
    return {
        "study": study.slug, "title": study.title, "design": study.design,
        "is_open": study.is_open, "generated_at": now,
        "groups": {g: {s: c.get(s, 0) for s in STATUSES} for g, c in sorted(groups.items())},
        "totals": {s: sum(c.get(s, 0) for c in groups.values()) for s in STATUSES},
        "bots": sum(p.is_bot for p in participants),
        "pilots": sum(p.is_pilot for p in participants),
        "median_completion_s": statistics.median(durations) if durations else None,
        "dropouts": dropouts,
        "answers_per_stimulus": per_stimulus_rows,
        "cell": "pair" if study.is_pairs else "stimulus",  # what answers are counted per
        "answers_min": min(counts), "answers_max": max(counts),
        "attention": {"answered": answered, "passed": passed},
        # Answers refused as sooner than the clip (answers.watch_shortfall_s): speeders
        # an experimenter may exclude (also in the participants export).
        "too_fast": too_fast,
        "pilot_link": pilot_link(study),
        "untranslated": missing_translations(study),
    }


def missing_translations(study: Study) -> dict[str, list[str]]:
    """Per language participants may read (other than English), the study's own texts that
    have no translation and are shown as written: title, information sheet, questions."""
    wanted = ([c for c in languages() if c != DEFAULT] if study.language == CHOICE
              else [study.language] if study.language != DEFAULT else [])
    missing = {}
    for code in wanted:
        given = (study.texts or {}).get(code, {})
        texts = [f for f in OWN_TEXTS if getattr(study, f) and not given.get(f)]
        questions = [f"question {q}" for q in untranslated(question_set(study.questions), code)]
        if texts or questions:
            missing[code] = [t.replace("_", " ") for t in texts] + questions
    return missing


def minutes(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds / 60:.1f} min"
