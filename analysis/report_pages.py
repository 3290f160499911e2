"""What the statistics report says, page by page (layout in :mod:`analysis.report_pdf`)."""

from __future__ import annotations

import pandas as pd
from matplotlib.backends.backend_pdf import PdfPages
from tqdm import tqdm

from analysis.designs import Design
from analysis.figures import bar_chart, boxplot_figure, confusion_figure
from analysis.report_pdf import PageWriter, number, p_text
from analysis.study_results import MEASURES

#: How many rows of a long listing (outliers, non-normal cells) the PDF shows; the CSVs hold all.
LISTED = 30


def _anova_table(anova: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Effect": anova["effect"].str.replace(":", " x "),
            "SS": anova["SS"].map(number),
            "df": anova["df1"].astype(str) + ", " + anova["df2"].astype(str),
            "MS": anova["MS"].map(number),
            "F": anova["F"].map(lambda v: number(v, 2)),
            "p": anova["p"].map(p_text),
            "ηp²": anova["np2"].map(number),
            "ηG²": anova["ges"].map(number),
            "W": anova["mauchly_W"].map(number),
            "p(W)": anova["mauchly_p"].map(p_text),
            "ε GG": anova["eps_gg"].map(number),
            "ε HF": anova["eps_hf"].map(number),
            "p GG": anova["p_gg"].map(p_text),
        }
    )


def _posthoc_table(posthoc: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Factor": posthoc["factor"],
            "Pair": posthoc["a"].astype(str) + " vs " + posthoc["b"].astype(str),
            "M diff": posthoc["mean_diff"].map(number),
            "SE": posthoc["se"].map(number),
            "t": posthoc["t"].map(lambda v: number(v, 2)),
            "df": posthoc["df"].astype(str),
            "p (unc.)": posthoc["p_unc"].map(p_text),
            "p (Bonf.)": posthoc["p_bonf"].map(p_text),
            "d_z": posthoc["d_z"].map(lambda v: number(v, 2)),
        }
    )


def _descriptives_table(descriptives: dict[str, pd.DataFrame]) -> pd.DataFrame:
    rows = [
        {"Factor": f, "Level": str(r[f]), "M": number(r["M"]), "SE": number(r["SE"]), "n": str(r["n"])}
        for f, table in descriptives.items()
        for r in table.to_dict("records")
    ]
    return pd.DataFrame(rows)


def title_page(w: PageWriter, meta: dict, design: Design, sections: list[str] | None = None) -> None:
    """The title page: data, method, contents (``sections``: the paper's measures by default)."""
    sections = sections or [label for _, label in MEASURES.values()] + ["Confusion matrices", SAMPLE_SIZE]
    w.heading("Statistics report")
    w.paragraph(design.title, size=10)
    w.paragraph(
        [
            f"Study: {', '.join(meta['studies'])}",
            f"Data: {meta['source']}",
            f"SHA-256 of the data: {meta['sha256']}",
            f"Participants: {meta['participants']}   Measured trials: {meta['trials']}   "
            f"Practice / attention-check rows left out: {meta['rows_left_out']}",
            f"Participants dropped for incomplete cells: {', '.join(meta['dropped']) or 'none'}",
            f"Generated: {meta['generated']} (UTC)",
        ]
    )
    w.heading("1. Method", level=2)
    w.paragraph(
        [
            f"Repeated-measures ANOVA per measure with the within factors {' x '.join(design.within)}; "
            "trials are first averaged per participant and cell (recognition: correct = 1/0 averaged "
            "over repetitions). Mauchly's test with R's second-order p; Greenhouse-Geisser (GG) and "
            "Huynh-Feldt (HF, with Lecoutre's correction) epsilons. "
            f"Correction policy '{meta['correction']}': results marked * are GG-corrected "
            "(under 'auto', when Mauchly's p < .05).",
            "Post hoc: paired t-tests on participants' marginal means, Bonferroni-corrected. "
            "Normality: Shapiro-Wilk per cell. Outliers: boxplot rule (1.5 hinge spreads) per cell.",
            "Every number is also in the JSON file and the CSV tables written beside this PDF.",
        ]
    )
    w.heading("Contents", level=2)
    w.paragraph(["1. Method"] + [f"{i + 2}. {section}" for i, section in enumerate(sections)])


def measure_pages(
    w: PageWriter, number_: int, label: str, result: dict, design: Design, ylim: tuple | None = None
) -> None:
    """One measure's ANOVA, descriptives, assumption checks, post-hocs and figures."""
    w.heading(f"{number_}. {label}")
    anova = result["anova"]
    w.heading("Repeated-measures ANOVA", level=2)
    w.paragraph(
        [f"{e.replace(':', ' x ')}: {line}" for e, line in zip(anova["effect"], anova["apa"], strict=True)]
    )
    w.table(_anova_table(anova))
    notes = [
        f"{e.replace(':', ' x ')}: Mauchly {n}"
        for e, n in zip(anova["effect"], anova["mauchly_note"], strict=True)
        if isinstance(n, str) and "not computable" in n
    ]
    w.paragraph(
        [
            "W, p(W): Mauchly's test. * Greenhouse-Geisser corrected. ε HF is shown raw (it may exceed 1); "
            "its p uses min(1, ε HF). ηp²: partial, ηG²: generalized eta squared."
        ]
        + notes,
        size=7.5,
    )
    w.heading("Descriptives (M, SE over participants)", level=2)
    w.table(_descriptives_table(result["descriptives"]), widths=[0.25, 0.3, 0.15, 0.15, 0.15])
    w.heading("Assumption checks", level=2)
    shapiro, outliers = result["shapiro"], result["outliers"]
    tested = shapiro.dropna(subset=["p"])
    low = tested[tested["p"] < 0.05]
    w.paragraph(
        [
            f"Shapiro-Wilk: {len(low)} of {len(tested)} testable cells have p < .05"
            + (
                f"; {len(shapiro) - len(tested)} cell(s) not testable (too few people or equal values)."
                if len(tested) < len(shapiro)
                else "."
            ),
            f"Boxplot rule: {len(outliers)} outlying value(s) in {outliers['cell'].nunique()} cell(s)"
            + (f" (first {LISTED} listed)." if len(outliers) > LISTED else "."),
        ]
    )
    if len(low):
        w.table(
            low.head(LISTED).assign(W=low["W"].map(number), p=low["p"].map(p_text))[["cell", "W", "p", "n"]]
        )
    if len(outliers):
        shown = outliers.head(LISTED)
        w.table(shown.assign(value=shown["value"].map(number))[["cell", "participant", "value", "kind"]])
    w.heading("Post hoc comparisons (Bonferroni)", level=2)
    w.table(_posthoc_table(result["posthoc"]), widths=[0.12, 0.26, 0.09, 0.08, 0.08, 0.06, 0.11, 0.11, 0.09])
    x, hue = design.bars
    cf = f" (cf. paper {design.figure})" if design.figure else ""
    w.figure(bar_chart(result["cells"], x, hue, label, f"{label}: M ± SE per {x} × {hue}{cf}", ylim))
    w.figure(boxplot_figure(result["marginal"], label, f"{label}: participants' marginal means"))


def confusion_pages(w: PageWriter, confusion: dict, number_: int) -> None:
    w.figure(
        confusion_figure(
            {"All trials": confusion["pooled"]}, f"{number_}. Confusion matrix, all trials (cf. Figure 4)"
        )
    )
    for factor, matrices in confusion.items():
        if factor != "pooled":
            w.figure(confusion_figure(matrices, f"Confusion matrices per {factor}"))


SAMPLE_SIZE = "Sample size for a replication"


def sample_size_pages(w: PageWriter, number_: int, measures: list[tuple[str, pd.DataFrame]],
                      correction: str) -> None:
    """N for 80 % and 90 % power per measure and effect (``measures``: label, sample-size table)."""
    from analysis.power import REPORT_MAX_N, REPORT_SIMS

    w.heading(f"{number_}. {SAMPLE_SIZE}")
    w.paragraph(
        [
            f"Per effect, the power of the same ANOVA (correction policy '{correction}', alpha .05) for a "
            f"study of N participants, simulated ({REPORT_SIMS} studies per N) from this study's cell means "
            "and their covariance, each effect shrunk by sqrt(1 - 1/F) to remove the noise an observed "
            "effect carries on average (python -m analysis.power: curves, more simulations, options).",
            "These N assume that this study's means and covariances are the population's: with few "
            "participants they are estimated poorly (fewer participants than cells make the covariance "
            "singular), the shrinkage corrects an effect's size only on average, cell means are taken as "
            f"normal. Read them as a rough guide. '> {REPORT_MAX_N}': not reached by {REPORT_MAX_N}.",
        ]
    )

    def shown(n) -> str:
        return f"> {REPORT_MAX_N}" if pd.isna(n) else str(int(n))

    rows = [
        {"Measure": label, "Effect": r["effect"].replace(":", " x "),
         "Power at this N": f"{r['power']:.2f} (N = {r['n']}, MCSE {r['mcse']:.3f})",
         "N for 80 %": shown(r["n_80"]), "N for 90 %": shown(r["n_90"])}
        for label, table in measures for r in table.to_dict("records")
    ]  # fmt: skip
    w.table(pd.DataFrame(rows), widths=[0.3, 0.2, 0.26, 0.12, 0.12])


def write_pdf(path, results: dict, meta: dict, design: Design, progress: bool = False) -> int:
    """Write the report to ``path`` (a progress bar per measure if ``progress``); returns the page count."""
    with PdfPages(path, metadata={"Title": "Statistics report", "Subject": design.title}) as pdf:
        w = PageWriter(pdf, footer=f"{', '.join(meta['studies'])} - {design.name}")
        title_page(w, meta, design)
        measures = tqdm(results["measures"].items(), desc="PDF pages", disable=not progress, leave=False)
        for i, (name, result) in enumerate(measures):
            measure_pages(w, i + 2, MEASURES[name][1], result, design)
        confusion_pages(w, results["confusion"], len(results["measures"]) + 2)
        labelled = [(MEASURES[name][1], r["sample_size"]) for name, r in results["measures"].items()]
        sample_size_pages(w, len(results["measures"]) + 3, labelled, meta["correction"])
        w.close_page()
        return w.pages


def _row_percent_table(table: pd.DataFrame) -> pd.DataFrame:
    shown = table.map(lambda v: f"{v:.0f}")
    return shown.reset_index().rename(columns={table.index.name: table.index.name or ""})


def write_own_pdf(path, results: dict, meta: dict, design: Design, questions, progress: bool = False) -> int:
    """The report of a study that asked its own questions (analysis.own_questions): one
    section per question, by its kind; returns the page count."""
    from analysis.own_questions import measure_label

    sections = [f"{q.prompt} ({q.kind})" for q in questions] + [SAMPLE_SIZE] * bool(results["measures"])
    with PdfPages(path, metadata={"Title": "Statistics report", "Subject": design.title}) as pdf:
        w = PageWriter(pdf, footer=f"{', '.join(meta['studies'])} - own questions")
        title_page(w, meta, design, sections)
        for n, q in enumerate(tqdm(questions, desc="PDF pages", disable=not progress, leave=False), start=2):
            if q.id in results["measures"]:
                ylim = {"scale": (1, q.points + 0.3), "slider": (0, 105)}.get(q.kind)
                measure_pages(w, n, measure_label(q), results["measures"][q.id], design, ylim)
            else:
                w.heading(f"{n}. {q.prompt}")
            for factor, table in results["distributions"].get(q.id, {}).items():
                w.heading(f"Answers per {factor} (row %)", level=2)
                w.table(_row_percent_table(table))
            if q.id in results["texts"]:
                answers = results["texts"][q.id]
                w.heading(f"Answers ({len(answers)}; the CSV table holds them in full)", level=2)
                w.table(answers.assign(participant=answers["participant"].astype(str).str.slice(0, 12),
                                       answer=answers["answer"].astype(str).str.slice(0, 90)),
                        widths=[0.15, 0.25, 0.6])
        if results["measures"]:
            labelled = [(measure_label(q), results["measures"][q.id]["sample_size"])
                        for q in questions if q.id in results["measures"]]
            sample_size_pages(w, len(questions) + 2, labelled, meta["correction"])
        w.close_page()
        return w.pages
