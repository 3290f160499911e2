"""``python -m analysis.anova``: repeated-measures ANOVA of a CSV, for checking.

Prints the ANOVA table, Bonferroni post-hocs for every factor and Shapiro-Wilk
per cell; with ``--json`` one JSON object holding every number (null where a
value is not computable or not applicable).
"""

from __future__ import annotations

import argparse
import sys

import pandas as pd

from analysis.assumptions import shapiro_cells
from analysis.cells import CellMeans, cell_means
from analysis.cli import dumps, read_csv, run
from analysis.posthoc import pairwise_bonferroni_cells
from analysis.responses import REQUIRED, measured_rows, measured_trials
from analysis.rm_anova import CORRECTIONS, rm_anova_cells

PROG = "python -m analysis.anova"
EFFECT_KEYS = [
    "F", "df1", "df2", "p", "SS", "MS", "SS_error", "MS_error", "np2", "ges",
    "mauchly_W", "mauchly_chi2", "mauchly_df", "mauchly_p", "mauchly_note",
    "eps_gg", "eps_hf", "eps_lb", "p_gg", "p_hf", "p_lb",
    "corrected", "df1_reported", "df2_reported", "p_reported", "mark",
]  # fmt: skip
POSTHOC_KEYS = ["t", "df", "p_unc", "p_bonf", "mean_diff"]


def analyse(cells: CellMeans, correction: str = "auto") -> dict:
    """The ANOVA table, one post-hoc table per factor and the Shapiro-Wilk table."""
    return {
        "anova": rm_anova_cells(cells, correction=correction),
        "posthoc": {f: pairwise_bonferroni_cells(cells, f) for f in cells.factors},
        "shapiro": shapiro_cells(cells),
    }


def as_json(cells: CellMeans, results: dict) -> dict:
    """The command's JSON object (the shape documented in docs/analysis.md)."""
    return {
        "effects": {r["effect"]: {k: r[k] for k in EFFECT_KEYS} for r in results["anova"].to_dict("records")},
        "posthoc": {
            factor: {f"{r.a} vs {r.b}": {k: getattr(r, k) for k in POSTHOC_KEYS} for r in pairs.itertuples()}
            for factor, pairs in results["posthoc"].items()
        },
        "shapiro": {r.cell: {"W": r.W, "p": r.p, "n": r.n} for r in results["shapiro"].itertuples()},
        "design": {
            "n": cells.n,
            "dropped_participants": list(cells.dropped),
        },
    }


def observations(data: pd.DataFrame, *, include_pilot: bool = False) -> tuple[pd.DataFrame, str]:
    """The rows to analyse, and a note when some were left out.

    A responses export (it has the export's columns; a study's own questions'
    export has ``is_practice`` but not the paper's answer columns) is read as the
    report reads it: practice, attention-check and (unless ``include_pilot``)
    pilot rows are not measured trials, so they are left out here too instead of
    silently mixing the practice clip into a cell. Any other long-format CSV is
    taken as it is.
    """
    if set(REQUIRED) <= set(data.columns):
        trials = measured_trials(data, include_pilot=include_pilot)
    elif {"participant", "is_practice"} <= set(data.columns):
        trials = measured_rows(data, include_pilot=include_pilot)
    else:
        return data, ""
    left_out = len(data) - len(trials)
    return trials, (f"note: a responses export: {left_out} practice / attention-check / pilot "
                    f"row(s) left out, {len(trials)} measured trials analysed" if left_out else "")


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog=PROG,
        description="Repeated-measures ANOVA (Mauchly, Greenhouse-Geisser/Huynh-Feldt, "
        "Bonferroni post-hocs, Shapiro-Wilk) of long-format data in a CSV file. "
        "Rows are averaged per participant and cell first.",
    )
    p.add_argument("data", help="CSV file, one row per observation (long format)")
    p.add_argument("--dv", required=True, help="column holding the dependent variable")
    p.add_argument("--subject", required=True, help="column identifying the participant")
    p.add_argument(
        "--within",
        required=True,
        nargs="+",
        metavar="FACTOR",
        help="within-subject factor column(s)",
    )
    p.add_argument(
        "--drop-incomplete",
        action="store_true",
        help="leave out participants missing a cell (listed in design.dropped_participants) "
        "instead of failing",
    )
    p.add_argument(
        "--correction",
        choices=CORRECTIONS,
        default="auto",
        help="report Greenhouse-Geisser when Mauchly's p < .05 (auto, the paper's rule), "
        "for every effect (always), or never (default: auto)",
    )
    p.add_argument(
        "--include-pilot",
        action="store_true",
        help="for a responses export: keep pilot participants' rows (practice and "
        "attention-check rows are always left out)",
    )
    p.add_argument("--json", action="store_true", help="print one JSON object with every number")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    data, note = observations(read_csv(args.data), include_pilot=args.include_pilot)
    if note:
        print(note, file=sys.stderr)
    cells = cell_means(data, args.dv, args.within, args.subject, drop_incomplete=args.drop_incomplete)
    results = analyse(cells, correction=args.correction)
    if args.json:
        print(dumps(as_json(cells, results)))
        return 0
    fmt = {"index": False, "float_format": lambda v: f"{v:.4g}"}
    print(f"n = {cells.n} participants; dropped: {', '.join(cells.dropped) or 'none'}")
    print(results["anova"].drop(columns="mauchly_note").to_string(**fmt))
    for factor, pairs in results["posthoc"].items():
        print(f"\nBonferroni post-hoc: {factor}")
        print(pairs.to_string(**fmt))
    print("\nShapiro-Wilk per cell")
    print(results["shapiro"].to_string(**fmt))
    return 0


if __name__ == "__main__":
    run(main, PROG)
