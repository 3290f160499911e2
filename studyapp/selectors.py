"""Selectors: the reads behind the export, the dashboard and the pages.

``response_rows`` is the responses export of docs/design.md, one row per
answered trial; ``participant_rows`` is one row per participant.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Count, Q

from studyapp.models import Participant, Response, Study

STANDARD_FACTORS = ("character", "emotion", "method", "sentence_type", "sentence_group")
HEAD = ("study", "participant", "group", "trial_index", "is_practice", "stimulus_id")
TAIL = ("response_emotion", "correct", "intensity", "sync", "naturalness", "rt_ms", "plays",
        "started_at", "submitted_at")
PARTICIPANT_COLUMNS = (
    "study", "participant", "group", "seed", "stage", "trials_answered", "trials_total",
    "age", "gender", "external_pid", "external_study_id", "external_session_id",
    "created_at", "consented_at", "completed_at", "last_seen_at",
)


def response_columns(study: Study) -> list[str]:
    """Export header: fixed columns, the five named factors, then any other factor."""
    extra = [f for f in study.manifest_factors if f not in STANDARD_FACTORS]
    return [*HEAD, *STANDARD_FACTORS, *extra, *TAIL]


def response_rows(study: Study) -> Iterator[dict]:
    """One dict per answered trial, ordered by participant then trial index."""
    columns = response_columns(study)
    responses = (
        Response.objects.filter(trial__participant__study=study)
        .select_related("trial__participant", "trial__stimulus")
        .order_by("trial__participant__id", "trial__index")
    )
    for response in responses.iterator(chunk_size=2000):
        trial, participant = response.trial, response.trial.participant
        factors = trial.stimulus.factors
        row = {
            "study": study.slug,
            "participant": participant.code,
            "group": participant.group,
            "trial_index": trial.index,
            "is_practice": int(trial.is_practice),
            "stimulus_id": trial.stimulus.stimulus_id,
            "response_emotion": response.response_emotion,
            "correct": int(response.response_emotion == factors.get("emotion")),
            "intensity": response.intensity,
            "sync": response.sync,
            "naturalness": response.naturalness,
            "rt_ms": response.rt_ms,
            "plays": response.plays,
            "started_at": _iso(response.started_at),
            "submitted_at": _iso(response.submitted_at),
        }
        for factor in columns[len(HEAD):len(columns) - len(TAIL)]:
            row[factor] = factors.get(factor, "")
        yield {c: row[c] for c in columns}


def participant_rows(study: Study) -> Iterator[dict]:
    """One dict per participant: group, demographics, progress, times, external ids."""
    measured = Q(trials__is_practice=False)
    participants = study.participants.order_by("id").annotate(
        total=Count("trials", filter=measured),
        answered=Count("trials__response", filter=measured),
    )
    for p in participants:
        yield {
            "study": study.slug, "participant": p.code, "group": p.group, "seed": p.seed,
            "stage": p.stage, "trials_answered": p.answered, "trials_total": p.total,
            "age": p.age, "gender": p.gender, "external_pid": p.external_pid,
            "external_study_id": p.external_study_id,
            "external_session_id": p.external_session_id,
            "created_at": _iso(p.created_at), "consented_at": _iso(p.consented_at),
            "completed_at": _iso(p.completed_at), "last_seen_at": _iso(p.last_seen_at),
        }


def participant_get(study: Study, pk: int | None) -> Participant | None:
    if pk is None:
        return None
    return Participant.objects.select_related("study").filter(study=study, pk=pk).first()


def _iso(value) -> str:
    return value.isoformat() if value else ""
