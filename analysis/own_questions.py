"""The analysis of a study that asked its own questions (``build_study --questions``).

The export then has one column per question id instead of the paper's five
answer columns (docs/design.md). Each question is analysed by its kind, read
from the study's questions file (the same TOML the study was built from):

- ``scale`` and ``slider``: the rm-ANOVA machinery of the paper's ratings
  (Mauchly / Greenhouse-Geisser, Bonferroni post-hocs, Shapiro-Wilk, outliers)
  over the within factors;
- a ``choice`` scored against a factor (``correct_factor``): accuracy
  (``<id>_correct``) with the same machinery, and the row-% table of answers per
  level of that factor (a confusion matrix);
- an unscored ``choice``: the answers' distribution (row %) per level of each
  within factor;
- ``text``: every answer, listed.

The within factors are the export's factor columns whose levels change within
participants (a factor fixed per participant, such as a between-group one, is not).
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from tqdm import tqdm

from analysis.cells import cell_means, require_columns
from analysis.designs import Design
from analysis.study_results import measure_results
from contract import EXPORT_HEAD, EXPORT_TRAILER

#: A ``preference`` question (A/B pair studies) is analysed by analysis.preference_report.
KINDS = ("choice", "scale", "slider", "text", "preference")


@dataclass(frozen=True)
class Asked:
    """What the analysis needs of one question of the file."""

    id: str
    kind: str
    prompt: str
    correct_factor: str = ""
    points: int = 7

    @property
    def scored(self) -> bool:
        return self.kind == "choice" and bool(self.correct_factor)


def questions_read(path: Path) -> tuple[Asked, ...]:
    """The questions of a study's file: its TOML (build_study --questions) or the JSON
    the app writes (export_responses --question-set); ValueError when it cannot be
    read (the app checked the questions in full when the study was built)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
        tables = json.loads(text) if path.suffix == ".json" else tomllib.loads(text).get("question")
    except (OSError, UnicodeDecodeError, ValueError) as exc:  # TOMLDecodeError is a ValueError
        raise ValueError(f"cannot read the questions file {path}: {exc}") from None
    if not isinstance(tables, list) or not tables:
        raise ValueError(f"{path}: no questions ([[question]] tables).")
    return _asked(tables, str(path))


def questions_from_app(records: list[dict]) -> tuple[Asked, ...] | None:
    """The questions as ``manage.py export_responses SLUG --question-set`` gives them
    (None for the paper's four, which the app keeps as an empty list)."""
    return _asked(records, "the study app") if records else None


def _asked(tables: list, source: str) -> tuple[Asked, ...]:
    asked = []
    for n, table in enumerate(tables, start=1):
        if not isinstance(table, dict) or table.get("kind") not in KINDS or not isinstance(
                table.get("id"), str):
            raise ValueError(f"{source}: question {n} needs an id and a kind ({', '.join(KINDS)}).")
        asked.append(Asked(table["id"], table["kind"], str(table.get("prompt", table["id"])),
                           str(table.get("correct_factor", "")), int(table.get("points", 7))))
    return tuple(asked)


def measure_label(q: Asked) -> str:
    """A measure's name on the report's pages."""
    if q.kind == "choice":
        return f"{q.prompt} (proportion correct)"
    return f"{q.prompt} ({'1-' + str(q.points) if q.kind == 'scale' else '0-100'})"


def own_design(trials: pd.DataFrame, questions: tuple[Asked, ...]) -> Design:
    """The within factors of the study (see the module's docstring) as a report Design."""
    answers = {q.id for q in questions} | {f"{q.id}_correct" for q in questions if q.scored}
    factors = [c for c in trials.columns if c not in (*EXPORT_HEAD, *EXPORT_TRAILER, *answers)]
    within = tuple(f for f in factors if trials[f].astype(str).nunique() > 1
                   and (trials.groupby("participant")[f].nunique() > 1).all())
    if not within:
        raise ValueError("no factor varies within participants: there is nothing to compare "
                         "(factor columns: " + ", ".join(factors) + ").")
    return Design(name="own questions", title=f"A study's own questions, within factors "
                  f"{' x '.join(within)}", within=within, bars=(within[0], within[-1]),
                  figure="", confusion_by=())


def own_trials(trials: pd.DataFrame, questions: tuple[Asked, ...]) -> pd.DataFrame:
    """Measured trials with each rating and accuracy column checked and made numeric."""
    require_columns(trials, [q.id for q in questions]
                    + [f"{q.id}_correct" for q in questions if q.scored])
    trials = trials.copy()
    for column, low, high in _numeric(questions):
        values = pd.to_numeric(trials[column], errors="coerce")
        bad = values.isna() | (values % 1 != 0) | (values < low) | (values > high)
        if bad.any():
            row = trials.loc[bad].iloc[0]
            raise ValueError(f"participant {row['participant']}: {column} must be an integer from "
                             f"{low} to {high}; got {row[column]!r} ({int(bad.sum())} such row(s)).")
        trials[column] = values.astype(int)
    return trials


def _numeric(questions: tuple[Asked, ...]):
    for q in questions:
        if q.kind == "scale":
            yield q.id, 1, q.points
        elif q.kind == "slider":
            yield q.id, 0, 100
        elif q.scored:
            yield f"{q.id}_correct", 0, 1


def own_results(trials: pd.DataFrame, questions: tuple[Asked, ...], design: Design,
                correction: str = "auto", drop_incomplete: bool = False,
                progress: bool = True) -> dict:
    """Every number of the report, by question: ``measures`` (label -> measure_results),
    ``distributions`` (question id -> {factor: row-% table}) and ``texts`` (id -> table)."""
    measures, distributions, texts = {}, {}, {}
    for q in tqdm(questions, desc="analyses", disable=not progress, leave=False):
        if q.kind in ("scale", "slider") or q.scored:
            column = q.id if q.kind != "choice" else f"{q.id}_correct"
            cells = cell_means(trials, column, design.within, "participant",
                               drop_incomplete=drop_incomplete)
            measures[q.id] = measure_results(cells, correction)
        if q.kind == "choice":
            by = (q.correct_factor,) if q.scored else design.within
            distributions[q.id] = {f: answer_distribution(trials, q.id, f) for f in by}
        if q.kind == "text":
            given = trials[trials[q.id].fillna("").astype(str).str.strip() != ""]
            texts[q.id] = given[["participant", "stimulus_id", q.id]].rename(columns={q.id: "answer"})
    return {"measures": measures, "distributions": distributions, "texts": texts}


def answer_distribution(trials: pd.DataFrame, question: str, factor: str) -> pd.DataFrame:
    """Row % of each answer to ``question`` per level of ``factor`` (answered trials)."""
    answered = trials[trials[question].fillna("").astype(str) != ""]
    table = pd.crosstab(answered[factor].astype(str), answered[question].astype(str),
                        normalize="index") * 100
    table.index.name, table.columns.name = factor, question
    return table
