"""A study's responses export read straight from the project's database, without Django.

The query mirrors ``studyapp.selectors.response_rows`` (the export command's
rows: no bots, no withdrawn participants) over the tables Django creates for
``studyapp``, leaves out attention-check trials, and returns the contract's
columns; a test checks it against the app's own export. ``DATABASE_URL`` names the database as in the web app:
``postgres://user:password@host:port/name`` or ``sqlite:///path`` (default:
the app's ``var/db.sqlite3``).
"""

from __future__ import annotations

import json
import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlparse

import pandas as pd

from analysis.responses import EXPORT_COLUMNS

DEFAULT_URL = f"sqlite:///{Path(__file__).resolve().parents[1] / 'var' / 'db.sqlite3'}"
STANDARD_FACTORS = ("character", "emotion", "method", "sentence_type", "sentence_group")
QUERY = """
SELECT s.slug, p.code, p."group", p.is_pilot, t."index", t.is_practice, st.stimulus_id, st.factors,
       r.response_emotion, r.intensity, r.sync, r.naturalness, r.rt_ms, r.plays,
       r.started_at, r.submitted_at
FROM studyapp_response r
JOIN studyapp_trial t ON r.trial_id = t.id
JOIN studyapp_participant p ON t.participant_id = p.id
JOIN studyapp_study s ON p.study_id = s.id
JOIN studyapp_stimulus st ON t.stimulus_id = st.id
WHERE s.slug = {mark} AND p.stage <> 'withdrawn' {optional}
ORDER BY p.id, t."index"
"""
#: Filters the app's export applies, for columns that newer schemas have:
#: bots are not exported, catch (attention-check) trials are no measured trials.
OPTIONAL_FILTERS = {
    ("studyapp_participant", "is_bot"): "AND NOT p.is_bot",
    ("studyapp_trial", "check_answer"): "AND t.check_answer IS NULL",
}


def _connect(url: str):
    """(connection, parameter mark) for a sqlite:/// or postgres:// URL."""
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        path = Path(parsed.path[1:])  # sqlite:////abs/path or sqlite:///relative/path, as dj-database-url
        if not path.is_file():
            raise ValueError(f"the SQLite database {path} does not exist (DATABASE_URL={url}).")
        return sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True), "?"
    if parsed.scheme in ("postgres", "postgresql"):
        import psycopg2  # only needed for PostgreSQL

        try:
            return psycopg2.connect(url), "%s"
        except psycopg2.OperationalError as exc:
            raise ValueError(f"cannot connect to {parsed.hostname}: {str(exc).strip()}") from None
    raise ValueError(f"DATABASE_URL must start with sqlite:/// or postgres://; got {url!r}.")


def _columns(cursor, table: str) -> set[str]:
    """Column names of ``table`` (works on SQLite and PostgreSQL)."""
    cursor.execute(f"SELECT * FROM {table} WHERE 1 = 0")
    return {d[0] for d in cursor.description}


def _iso(value) -> str:
    """ISO 8601 in UTC, as the export writes it (SQLite stores naive UTC text)."""
    if value is None or value == "":
        return ""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return moment.isoformat()


def study_export(slug: str, url: str | None = None) -> pd.DataFrame:
    """The responses export of study ``slug`` (docs/design.md columns, extra factors appended).

    Raises ValueError when the database cannot be opened, the tables are
    missing (migrations not run) or the study has no answered trials.
    """
    url = url or os.environ.get("DATABASE_URL") or DEFAULT_URL
    connection, mark = _connect(url)
    try:
        cursor = connection.cursor()
        try:
            optional = " ".join(
                sql for (table, column), sql in OPTIONAL_FILTERS.items() if column in _columns(cursor, table)
            )
            cursor.execute(QUERY.format(mark=mark, optional=optional), (slug,))
        except Exception as exc:  # sqlite3 and psycopg2 raise different classes
            raise ValueError(
                f"cannot read the study tables ({str(exc).strip()}); is this the app's database?"
            ) from None
        records = cursor.fetchall()
    finally:
        connection.close()
    if not records:
        raise ValueError(f"study {slug!r} has no answered trials in the database.")
    rows, extra = [], []
    for slug_, code, group, pilot, index, practice, stimulus_id, factors, emotion, *rest in records:
        factors = json.loads(factors) if isinstance(factors, str) else factors
        extra += [f for f in factors if f not in STANDARD_FACTORS and f not in extra]
        intensity, sync, naturalness, rt_ms, plays, started, submitted = rest
        rows.append(
            {
                **{f: factors.get(f, "") for f in (*STANDARD_FACTORS, *extra)},
                "study": slug_, "participant": code, "group": group, "trial_index": index,
                "is_practice": int(bool(practice)), "stimulus_id": stimulus_id,
                "response_emotion": emotion, "correct": int(emotion == factors.get("emotion")),
                "intensity": intensity, "sync": sync, "naturalness": naturalness,
                "rt_ms": rt_ms, "plays": plays, "started_at": _iso(started), "submitted_at": _iso(submitted),
                "pilot": int(bool(pilot)), "bot": 0, "attention_check": 0, "attention_passed": "",
            }
        )  # fmt: skip
    head = list(EXPORT_COLUMNS[: EXPORT_COLUMNS.index("sentence_group") + 1])
    tail = list(EXPORT_COLUMNS[len(head) :])
    return pd.DataFrame(rows).reindex(columns=head + extra + tail)
