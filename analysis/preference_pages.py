"""What the report of an A/B pair study says, page by page (layout: :mod:`analysis.report_pdf`)."""

from __future__ import annotations

import pandas as pd
from matplotlib.backends.backend_pdf import PdfPages

from analysis.figures import preference_bars
from analysis.preference import POOLED
from analysis.report_pdf import PageWriter, number, p_text


def _percent(value) -> str:
    return number(100 * value, 1) if pd.notna(value) else "-"


def _ci(low, high) -> str:
    return f"[{_percent(low)}, {_percent(high)}]" if pd.notna(low) else "-"


def _preference_table(table: pd.DataFrame, labels: dict, by: str | None = None) -> pd.DataFrame:
    columns = {"Question": table["question"].astype(str).map(lambda q: labels.get(q, q)[:38])}
    if by:
        columns[by.capitalize()] = table[by].astype(str)
    columns.update({
        "Pair (a vs b)": table["pair"].astype(str), "n": table["n"].astype(str),
        "a": table["n_a"].astype(str), "none": table["n_none"].astype(str),
        "b": table["n_b"].astype(str), "% a": table["share_a"].map(_percent),
        "95 % CI (Wilson)": [_ci(lo, hi) for lo, hi in zip(table["ci_low"], table["ci_high"],
                                                            strict=True)],
        "p": table["p"].map(p_text), "p (Bonf.)": table["p_bonf"].map(p_text),
    })
    return pd.DataFrame(columns)


#: Relative column widths of the preference tables (a shared factor's column: FACTOR_WIDTH).
WIDTHS = {"Question": 0.17, "Pair (a vs b)": 0.13, "n": 0.05, "a": 0.05, "none": 0.05, "b": 0.05,
          "% a": 0.06, "95 % CI (Wilson)": 0.14, "p": 0.07, "p (Bonf.)": 0.08}
FACTOR_WIDTH = 0.1


def _widths(frame: pd.DataFrame) -> list[float]:
    raw = [WIDTHS.get(c, FACTOR_WIDTH) for c in frame.columns]
    return [w / sum(raw) for w in raw]


def title_page(w: PageWriter, meta: dict, labels: dict, sections: list[str]) -> None:
    w.heading("Preference report (A/B pairs)")
    w.paragraph(f"Compared: {meta['compared']} ({', '.join(meta['levels'])}); pairs: "
                f"{', '.join(meta['pairs'])}", size=10)
    w.paragraph([
        f"Study: {', '.join(meta['studies'])}",
        f"Data: {meta['source']}",
        f"SHA-256 of the data: {meta['sha256']}",
        f"Participants: {meta['participants']}   Measured pair trials: {meta['trials']}   Answers: "
        f"{meta['answers']}   Practice / attention-check / pilot rows left out: {meta['rows_left_out']}",
        f"Shared factors: {', '.join(meta['shared']) or 'none'}",
        "Questions: " + "; ".join(f"{q} ({labels[q]})" if q in labels else q for q in meta["questions"]),
        f"Generated: {meta['generated']} (UTC)",
    ])
    w.heading("1. Method", level=2)
    w.paragraph([
        "Per question and pair of levels: the answers preferring clip a, 'no preference' (none) and "
        "clip b. Ties (none) are reported but left out of the share, its CI and the test, as A/B "
        "studies of talking faces report them: % a = a / (a + b).",
        "95 % CI: Wilson's score interval (the Clopper-Pearson exact interval is in the JSON and CSV "
        "tables beside it). Test: exact two-sided binomial test of a against b at 50 %. Bonferroni "
        "over the pairs of each question (per shared factor: over its levels x pairs).",
        f"Participants: {meta['participant_method']}.",
        "Position bias: the share of non-tie answers choosing the clip shown left (first on a phone), "
        "exact binomial test against 50 %.",
        *(["Bradley-Terry: maximum likelihood strengths (log scale) of the levels from every non-tie "
           f"answer, {meta['reference']} fixed at 0, SEs from the observed information."]
          if len(meta["levels"]) >= 3 else []),
        "Every number is also in the JSON file and the CSV tables written beside this PDF.",
    ])
    w.heading("Contents", level=2)
    w.paragraph(["1. Method"] + [f"{i + 2}. {s}" for i, s in enumerate(sections)])


def preference_section(w: PageWriter, n: int, results: dict, meta: dict, labels: dict) -> None:
    table = results["preferences"]
    w.close_page()  # the results start on a page of their own, after the title page
    w.heading(f"{n}. Preferences per pair")
    frame = _preference_table(table, labels)
    w.table(frame, widths=_widths(frame))
    w.paragraph([_line(r, labels) for r in table.to_dict("records")], size=8)
    w.figure(preference_bars(table, meta["levels"], f"{n}. Preferences per pair", labels=labels))


def _line(r: dict, labels: dict) -> str:
    """One result in words: '<question>, GT vs EVP: 87.5 % prefer GT (95 % CI ...), p ...'."""
    q = labels.get(str(r["question"]), str(r["question"]))
    if pd.isna(r["share_a"]):
        return f"{q}, {r['pair']}: all {r['n']} answers 'no preference'."
    lead, share = (r["a"], r["share_a"]) if r["share_a"] >= 0.5 else (r["b"], 1 - r["share_a"])
    low, high = ((r["ci_low"], r["ci_high"]) if lead == r["a"] else (1 - r["ci_high"], 1 - r["ci_low"]))
    return (f"{q}, {r['pair']}: {_percent(share)} % prefer {lead} [{_percent(low)}, {_percent(high)}], "
            f"p {_p_words(r['p'])}, Bonferroni p {_p_words(r['p_bonf'])}; {r['n_none']} of {r['n']} "
            "no preference.")


def _p_words(p) -> str:
    text = p_text(p)
    return text if text.startswith("<") else f"= {text}"


def factor_section(w: PageWriter, n: int, factor: str, table: pd.DataFrame, meta: dict, labels: dict,
                   figure_rows: int) -> None:
    w.heading(f"{n}. Preferences per {factor}")
    frame = _preference_table(table, labels, by=factor)
    w.table(frame, widths=_widths(frame))
    rows = table[table["question"] == table["question"].iloc[0]]
    if len(rows) <= figure_rows:
        w.figure(preference_bars(table, meta["levels"], f"{n}. Preferences per {factor}", by=factor,
                                 labels=labels))
    else:
        w.paragraph(f"No figure: {len(rows)} bars per question are too many for a page.", size=7.5)


def participant_section(w: PageWriter, n: int, table: pd.DataFrame, meta: dict, labels: dict) -> None:
    w.heading(f"{n}. Participants: is a preference carried by a few?")
    w.paragraph([
        "Sign test: each participant's majority vote per pair (more a than b answers, or more b; "
        "tied participants left out), exact binomial test of participants voting a against b.",
        f"Model: {meta['participant_method'].split('; ', 1)[1]}; its share is population-averaged, "
        "its CI and p (Wald) respect that one participant's answers are correlated (rho).",
        "Bonferroni over the pairs of each question.",
    ])
    frame = pd.DataFrame({
        "Question": table["question"].astype(str).map(lambda q: labels.get(q, q)[:38]),
        "Pair (a vs b)": table["pair"].astype(str),
        "People": table["participants"].astype(str),
        "Vote a / b / tied": [f"{a} / {b} / {t}" for a, b, t in
                              zip(table["majority_a"], table["majority_b"], table["majority_tied"],
                                  strict=True)],
        "Sign p (Bonf.)": table["sign_p_bonf"].map(p_text),
        "GEE % a [95 % CI]": [f"{_percent(s)} {_ci(lo, hi)}" if pd.notna(s) else "-" for s, lo, hi in
                              zip(table["gee_share"], table["gee_ci_low"], table["gee_ci_high"],
                                  strict=True)],
        "GEE p (Bonf.)": table["gee_p_bonf"].map(p_text),
        "rho": table["gee_rho"].map(lambda v: number(v, 2)),
    })
    w.table(frame, widths=[0.15, 0.12, 0.07, 0.13, 0.13, 0.2, 0.13, 0.06])
    notes = [f"{r['question']}, {r['pair']}: GEE {r['gee_note']}" for r in table.to_dict("records")
             if r["gee_note"]]
    if notes:
        w.paragraph(notes, size=7.5)


def position_section(w: PageWriter, n: int, table: pd.DataFrame, labels: dict) -> None:
    w.heading(f"{n}. Position bias (left / first clip)")
    w.paragraph("Share of non-tie answers choosing the clip shown left (above on a phone); 'a left' is "
                "the % of those answers whose trial showed clip a left (the counterbalancing). The "
                f"'{POOLED}' row counts every question's answer to a trial, which are not independent: "
                "its p is approximate.")
    frame = pd.DataFrame({
        "Question": table["question"].astype(str).map(lambda q: labels.get(q, q)[:50]),
        "n": table["n"].astype(str), "left": table["n_left"].astype(str),
        "% left": table["share_left"].map(_percent),
        "95 % CI (Wilson)": [_ci(lo, hi) for lo, hi in zip(table["ci_low"], table["ci_high"], strict=True)],
        "p": table["p"].map(p_text), "% a left": table["a_left"].map(lambda v: number(v, 1)),
    })
    w.table(frame, widths=[0.3, 0.08, 0.08, 0.1, 0.2, 0.12, 0.12])


def ranking_section(w: PageWriter, n: int, table: pd.DataFrame, meta: dict, labels: dict) -> None:
    w.heading(f"{n}. Bradley-Terry ranking")
    w.paragraph([
        "P(i preferred to j) = exp(b_i) / (exp(b_i) + exp(b_j)), fitted by maximum likelihood to every "
        f"non-tie answer (Newton's method); {meta['reference']} is fixed at b = 0, SEs from the inverse "
        "observed information, CI = b +- 1.96 SE. Worth: exp(b) / sum exp(b), the share of 'strength'.",
        "A level that never lost (or never won) against the others has no finite estimate: '-'.",
    ])
    frame = pd.DataFrame({
        "Question": table["question"].astype(str).map(lambda q: labels.get(q, q)[:40]),
        "Level": table["level"] + table["reference"].map({True: " (ref.)", False: ""}),
        "Wins": table["wins"].astype(str), "Losses": table["losses"].astype(str),
        "b": [("0 (fixed)" if ref else number(b)) for b, ref in zip(table["beta"], table["reference"],
                                                                 strict=True)],
        "SE": table["se"].where(~table["reference"]).map(number),
        "95 % CI": [f"[{number(lo)}, {number(hi)}]" if pd.notna(lo) and not ref else "-"
                    for lo, hi, ref in zip(table["ci_low"], table["ci_high"], table["reference"],
                                           strict=True)],
        "Worth": table["worth"].map(number),
    })
    w.table(frame, widths=[0.24, 0.13, 0.08, 0.08, 0.11, 0.09, 0.18, 0.09])


def write_pairs_pdf(path, results: dict, meta: dict, labels: dict, figure_rows: int = 30) -> int:
    """Write the report of a pairs study to ``path``; returns the page count."""
    sections = ["Preferences per pair", *(f"Preferences per {f}" for f in results["by"]),
                "Participants: is a preference carried by a few?", "Position bias (left / first clip)"]
    if results["bradley_terry"] is not None:
        sections.append("Bradley-Terry ranking")
    with PdfPages(path, metadata={"Title": "Preference report", "Subject": f"A/B pairs: {meta['compared']}"}
                  ) as pdf:
        w = PageWriter(pdf, footer=f"{', '.join(meta['studies'])} - pairs of {meta['compared']}")
        title_page(w, meta, labels, sections)
        preference_section(w, 2, results, meta, labels)
        n = 3
        for factor, table in results["by"].items():
            factor_section(w, n, factor, table, meta, labels, figure_rows)
            n += 1
        participant_section(w, n, results["participants"], meta, labels)
        position_section(w, n + 1, results["position"], labels)
        if results["bradley_terry"] is not None:
            ranking_section(w, n + 2, results["bradley_terry"], meta, labels)
        w.close_page()
        return w.pages
