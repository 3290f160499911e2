"""``python -m analysis.report``: the statistics PDF of a study, plus JSON and CSV tables.

Reads a responses export (docs/design.md), or with ``--study`` the study app's
own export of a study (analysis/app_export.py), leaves out the practice trials
(a pairs export of A/B trials gets the preference report, analysis/preference_report.py)
and writes ``--out`` (PDF), a JSON file of every number beside it, and the tables as CSV files in a folder
beside it (``report.json``, ``report-tables/`` for ``report.pdf``).
"""

from __future__ import annotations

import argparse
import hashlib
import io
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from analysis.cli import csv_frame, read_csv, run, write_companions
from analysis.designs import DESIGNS, design_for
from analysis.own_questions import (
    own_design,
    own_results,
    own_trials,
    questions_from_app,
    questions_read,
)
from analysis.pairs import is_pairs_export
from analysis.power import replication_sizes
from analysis.preference_report import build_pairs_report
from analysis.report_pages import write_own_pdf, write_pdf
from analysis.responses import measured_rows, measured_trials
from analysis.rm_anova import CORRECTIONS
from analysis.study_results import study_results

PROG = "python -m analysis.report"


def _flat_cells(wide: pd.DataFrame) -> pd.DataFrame:
    """Per-participant cell means with ``|``-joined cell names as columns."""
    out = wide.copy()
    out.columns = ["|".join(map(str, c)) for c in wide.columns]
    return out.rename_axis("participant").reset_index()


def tables(results: dict) -> dict[str, pd.DataFrame]:
    """Every table of the report by file name (without .csv)."""
    out = {}
    for name, r in results["measures"].items():
        out[f"{name}-anova"] = r["anova"]
        out[f"{name}-posthoc"] = r["posthoc"]
        out[f"{name}-cells"] = r["cells"]
        out[f"{name}-shapiro"] = r["shapiro"]
        out[f"{name}-sample-size"] = r["sample_size"]
        out[f"{name}-outliers"] = r["outliers"]
        out[f"{name}-participant-cell-means"] = _flat_cells(r["cell_means"])
        for factor, d in r["descriptives"].items():
            out[f"{name}-descriptives-{factor}"] = d
    for factor, matrices in results.get("confusion", {}).items():
        if factor == "pooled":
            out["confusion-pooled"] = matrices.reset_index()
        else:
            for level, m in matrices.items():
                out[f"confusion-{factor}-{level}"] = m.reset_index()
    for question, by_factor in results.get("distributions", {}).items():
        for factor, table in by_factor.items():
            out[f"{question}-answers-by-{factor}"] = table.reset_index()
    for question, answers in results.get("texts", {}).items():
        out[f"{question}-answers"] = answers
    return out


def as_json(results: dict, meta: dict) -> dict:
    """The JSON document: meta data, then per measure every table as records."""
    measures = {}
    for name, r in results["measures"].items():
        measures[name] = {
            "n": r["n"],
            "dropped_participants": r["dropped_participants"],
            "anova": {row["effect"]: row for row in r["anova"].to_dict("records")},
            "posthoc": r["posthoc"],
            "descriptives": r["descriptives"],
            "cells": r["cells"],
            "shapiro": r["shapiro"],
            "outliers": r["outliers"],
            "sample_size": r["sample_size"],
        }
    if "confusion" not in results:  # a study's own questions (analysis.own_questions)
        distributions = {
            q: {f: t.to_dict(orient="index") for f, t in by.items()}
            for q, by in results["distributions"].items()
        }
        texts = {q: t.to_dict("records") for q, t in results["texts"].items()}
        return {"meta": meta, "measures": measures, "answers_row_percent": distributions, "texts": texts}
    confusion = {
        factor: (
            m.to_dict(orient="index")
            if factor == "pooled"
            else {k: v.to_dict(orient="index") for k, v in m.items()}
        )
        for factor, m in results["confusion"].items()
    }
    return {"meta": meta, "measures": measures, "confusion_row_percent": confusion}


def build_report(
    export: pd.DataFrame,
    out: Path,
    *,
    source: str,
    sha256: str,
    design: str = "auto",
    correction: str = "auto",
    drop_incomplete: bool = False,
    include_pilot: bool = False,
    progress: bool = True,
    questions: tuple | None = None,
) -> dict:
    """Analyse a responses export and write the PDF, JSON and CSV tables; returns the meta data.

    ``questions``: the study's own questions (analysis.own_questions.Asked), for an
    export of a study built with them; without, the export holds the paper's four.
    A pairs export (A/B preference trials) gets the preference report
    (:func:`analysis.preference_report.build_pairs_report`).
    """
    if is_pairs_export(export.columns):
        if design != "auto":
            raise ValueError(f"--design {design} is for single-clip studies; this is a pairs export "
                             "(stimulus_a, stimulus_b, left), analysed as A/B preferences.")
        return build_pairs_report(export, out, source=source, sha256=sha256, include_pilot=include_pilot,
                                  questions=questions, progress=progress)
    if questions:
        asked = questions
        trials = own_trials(measured_rows(export, include_pilot=include_pilot), asked)
        chosen = own_design(trials, asked)
        results = own_results(trials, asked, chosen, correction, drop_incomplete, progress)
    elif "response_emotion" not in export.columns and "intensity" not in export.columns:
        raise ValueError("this export has no paper answer columns (response_emotion, intensity, ...): "
                         "the study asked its own questions; give its questions file with --questions.")
    else:
        trials = measured_trials(export, include_pilot=include_pilot)
        chosen = design_for(trials, design)
        results = study_results(trials, chosen, correction, drop_incomplete, progress)
    for r in results["measures"].values():  # "Sample size for a replication" (analysis.power)
        r["sample_size"] = replication_sizes(r["cell_means"], correction)
    dropped = sorted({p for r in results["measures"].values() for p in r["dropped_participants"]})
    meta = {
        "design": chosen.name,
        "within": list(chosen.within),
        "studies": sorted(map(str, trials["study"].unique())),
        "source": source,
        "sha256": sha256,
        "participants": int(trials["participant"].nunique()) - len(dropped),
        "trials": len(trials),
        "rows_left_out": len(export) - len(trials),  # practice, attention-check, pilot rows
        "include_pilot": include_pilot,
        "dropped": dropped,
        "correction": correction,
        "generated": datetime.now(UTC).strftime("%Y-%m-%d %H:%M"),
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    if questions:
        meta["questions"] = [q.id for q in questions]
        meta["pages"] = write_own_pdf(out, results, meta, chosen, asked, progress)
    else:
        meta["pages"] = write_pdf(out, results, meta, chosen, progress)
    write_companions(out, as_json(results, meta), tables(results))
    return meta


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog=PROG,
        description="Write the statistics report (PDF) of a study: repeated-measures ANOVAs with "
        "Mauchly/Greenhouse-Geisser ('*'), Bonferroni post-hocs, Shapiro-Wilk, boxplot outliers, "
        "confusion matrices and M +- SE bar charts, plus a JSON of every number and CSV tables. "
        "A pairs export (A/B trials: stimulus_a, stimulus_b, left) gets the preference report: "
        "binomial tests with Wilson CIs per pair and question, per shared factor, a participant-level "
        "check, position bias and a Bradley-Terry ranking (--design, --correction and "
        "--drop-incomplete do not apply to it).",
    )
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("--responses", type=Path, metavar="FILE.csv", help="responses export CSV")
    source.add_argument(
        "--study",
        metavar="SLUG",
        help="the study's responses as the study app exports them (manage.py export_responses, "
        "database at DATABASE_URL)",
    )
    p.add_argument(
        "--design",
        choices=["auto", *DESIGNS],
        default="auto",
        help="task1: character x emotion; task2: method x character; auto: task2 when the "
        "data hold several methods (default)",
    )
    p.add_argument("--out", type=Path, default=Path("report.pdf"), help="PDF to write (default report.pdf)")
    p.add_argument(
        "--correction",
        choices=CORRECTIONS,
        default="auto",
        help="sphericity correction policy (default auto)",
    )
    p.add_argument(
        "--drop-incomplete",
        action="store_true",
        help="leave out participants missing a cell instead of failing",
    )
    p.add_argument(
        "--include-pilot",
        action="store_true",
        help="analyse pilot participants too (left out by default)",
    )
    p.add_argument(
        "--questions",
        type=Path,
        metavar="QUESTIONS.toml",
        help="the study's own questions file (build_study --questions): each question is "
        "analysed by its kind (a pairs study: its preference questions); with --study the app "
        "says which questions the study asked",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    questions = questions_read(args.questions) if args.questions else None
    if args.study:
        from analysis.app_export import study_export_csv, study_questions

        raw = study_export_csv(args.study)
        questions = questions or questions_from_app(study_questions(args.study))
        export, source = csv_frame(io.BytesIO(raw), f"study {args.study}"), f"study {args.study}"
        sha256 = hashlib.sha256(raw).hexdigest()
    else:
        export, source = read_csv(args.responses), str(args.responses)
        sha256 = hashlib.sha256(args.responses.read_bytes()).hexdigest()
    meta = build_report(
        export,
        args.out,
        source=source,
        sha256=sha256,
        design=args.design,
        correction=args.correction,
        drop_incomplete=args.drop_incomplete,
        include_pilot=args.include_pilot,
        progress=not args.quiet,
        questions=questions,
    )
    print(
        f"wrote {args.out} ({meta['pages']} pages), {args.out.with_suffix('.json')} and "
        f"{args.out.with_name(args.out.stem + '-tables')}/ for {meta['participants']} participants"
    )
    return 0


if __name__ == "__main__":
    run(main, PROG)
