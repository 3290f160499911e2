"""The report of an A/B pair study (``python -m analysis.report`` on a pairs export).

:func:`build_pairs_report` reads the export (:func:`analysis.pairs.read_pairs`),
computes every number (:func:`pairs_results`) and writes the PDF
(:mod:`analysis.preference_pages`), a JSON of every number and the tables as
CSV beside it, as the report of single-clip studies does.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from analysis.bradley_terry import bradley_terry_answers, hub
from analysis.cli import write_companions
from analysis.pairs import Pairs, read_pairs
from analysis.preference import (
    CI_METHOD,
    GEE_METHOD,
    majorities,
    participant_check,
    position_bias,
    preferences,
)
from analysis.preference_pages import write_pairs_pdf

#: Shared factors whose levels x pairs exceed this get a table but no figure.
FIGURE_ROWS = 30


def pairs_results(pairs: Pairs) -> dict:
    """Every number of the report: ``preferences`` (per question and pair), ``by``
    (shared factor -> the same per level; factors with one level left out),
    ``participants`` (sign test and GEE), ``majorities`` (each participant's vote),
    ``position`` (left/right bias) and ``bradley_terry`` (None for two levels)."""
    answers = pairs.answers
    by = {f: preferences(answers, (f,)) for f in pairs.shared if answers[f].nunique() > 1}
    ranking = (bradley_terry_answers(answers, pairs.levels, pairs.pairs)
               if len(pairs.levels) >= 3 else None)
    return {"preferences": preferences(answers), "by": by,
            "participants": participant_check(answers), "majorities": majorities(answers),
            "position": position_bias(answers), "bradley_terry": ranking}


def pairs_tables(results: dict) -> dict[str, pd.DataFrame]:
    """Every table of the report by CSV file name (without .csv)."""
    out = {"preferences": results["preferences"]}
    out.update({f"preferences-by-{factor}": table for factor, table in results["by"].items()})
    out["participant-check"] = results["participants"]
    out["participant-majorities"] = results["majorities"]
    out["position-bias"] = results["position"]
    if results["bradley_terry"] is not None:
        out["bradley-terry"] = results["bradley_terry"]
    return out


def pairs_json(results: dict, meta: dict) -> dict:
    """The JSON document: meta data, then every table but the per-participant votes as records."""
    return {"meta": meta, "preferences": results["preferences"],
            "by": {factor: table for factor, table in results["by"].items()},
            "participant_check": results["participants"], "position_bias": results["position"],
            "bradley_terry": results["bradley_terry"]}


def build_pairs_report(export: pd.DataFrame, out: Path, *, source: str, sha256: str,
                       include_pilot: bool = False, questions: tuple | None = None,
                       progress: bool = False) -> dict:
    """Analyse a pairs export and write the PDF, JSON and CSV tables; returns the meta data.

    ``questions``: the study's questions (analysis.own_questions.Asked); those of kind
    ``preference`` are analysed and their prompts title the tables. Without, the
    preference questions are found in the export (:func:`analysis.pairs.question_columns`).
    """
    labels, others = {}, []
    if questions:
        preference = [q for q in questions if q.kind == "preference"]
        if not preference:
            raise ValueError("the study's questions hold no preference question (kind = "
                             "\"preference\"), which a pairs export answers.")
        labels = {q.id: q.prompt for q in preference}
        others = [q.id for q in questions if q.kind != "preference"]
    pairs = read_pairs(export, questions=list(labels) or None, other_questions=others,
                       include_pilot=include_pilot)
    results = pairs_results(pairs)
    meta = {
        "design": "pairs",
        "compared": pairs.factor,
        "levels": list(pairs.levels),
        "pairs": list(pairs.pairs),
        "reference": hub(pairs.pairs) or pairs.levels[0],
        "shared": list(pairs.shared),
        "questions": list(pairs.questions),
        "studies": sorted(map(str, pairs.answers["study"].unique())),
        "source": source,
        "sha256": sha256,
        "participants": int(pairs.answers["participant"].nunique()),
        "trials": pairs.trials,
        "answers": len(pairs.answers),
        "rows_left_out": pairs.rows_left_out,  # practice, attention-check, pilot rows
        "include_pilot": include_pilot,
        "ci": CI_METHOD,
        "participant_method": f"sign test over participants' majority votes; {GEE_METHOD}",
        "generated": datetime.now(UTC).strftime("%Y-%m-%d %H:%M"),
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    meta["pages"] = write_pairs_pdf(out, results, meta, labels, figure_rows=FIGURE_ROWS)
    write_companions(out, pairs_json(results, meta), pairs_tables(results))
    return meta
