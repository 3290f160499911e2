"""Reading a pairs export (A/B preference studies, docs/design.md) into long answers.

A pairs export has one row per answered pair trial: ``stimulus_a``,
``stimulus_b``, ``left``, the compared factor's ``a_<FACTOR>`` and
``b_<FACTOR>``, the factors both clips share, then one column per question
(contract.PAIR_HEAD / PAIR_TRAILER). :func:`read_pairs` recognises its parts,
leaves out practice, attention-check and pilot rows as
:func:`analysis.responses.measured_rows` does, checks every answer and returns
one row per trial and preference question (:class:`Pairs`), the long data every
function of :mod:`analysis.preference` and :mod:`analysis.bradley_terry` takes.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analysis.cells import require_columns
from analysis.responses import ORDER, in_display_order, measured_rows
from contract import NO_PREFERENCE, PAIR_HEAD, PAIR_SIDES, PAIR_TRAILER

#: The columns that make an export a pairs export.
PAIR_MARKS = ("stimulus_a", "stimulus_b", "left")
#: The long answers' columns before the shared factors (see :class:`Pairs`).
ANSWER_COLUMNS = ("study", "participant", "line", "question", "pair", "a", "b", "choice",
                  "chosen_level", "left", "chose_left")


@dataclass(frozen=True)
class Pairs:
    """The measured answers of a pairs export.

    Attributes
    ----------
    answers : pandas.DataFrame
        One row per measured trial and preference question with an answer:
        ``study``, ``participant`` (str), ``line`` (the row's line in the CSV),
        ``question`` (its id), ``pair`` ('GT vs ETAD'), ``a`` and ``b`` (the two
        levels, ``a`` first in :attr:`levels`' order), ``choice`` ('a', 'b' or
        'none'), ``chosen_level`` (the level or 'none'), ``left`` ('a' or 'b',
        the clip shown left / first), ``chose_left`` (True, False, or missing for
        'none'), then one column per shared factor. Empty answers (an optional
        question left out) are not rows.
    factor : str
        The compared factor (the X with ``a_X`` and ``b_X`` columns).
    levels : tuple of str
        Its levels in the export's order (a clip ``a`` comes first; known
        factors such as method in the contract's order when that is undecided).
    pairs : tuple of str
        The compared pairs, 'a vs b', in that order.
    shared : tuple of str
        The factors both clips share (columns between ``b_X`` and the questions).
    questions : tuple of str
        The preference questions' ids, in column order.
    trials : int
        Measured pair trials.
    rows_left_out : int
        Practice, attention-check and pilot rows of the export.
    """

    answers: pd.DataFrame
    factor: str
    levels: tuple[str, ...]
    pairs: tuple[str, ...]
    shared: tuple[str, ...]
    questions: tuple[str, ...]
    trials: int
    rows_left_out: int


def is_pairs_export(columns) -> bool:
    """Whether an export's columns are those of a pairs export (``stimulus_a``,
    ``stimulus_b`` and ``left``)."""
    return all(c in columns for c in PAIR_MARKS)


def compared_factor(columns) -> str:
    """The factor X with both ``a_X`` and ``b_X`` columns; ValueError unless exactly one."""
    names = [str(c) for c in columns]
    found = [c[2:] for c in names if c.startswith("a_") and f"b_{c[2:]}" in names]
    if len(found) != 1:
        raise ValueError(
            "a pairs export names its compared factor X with two columns a_X and b_X; "
            + (f"found several: {', '.join(found)}." if found else "found none.")
        )
    return found[0]


def question_columns(export: pd.DataFrame, factor: str, levels) -> list[str]:
    """The preference questions among the columns between ``b_<factor>`` and the trailer:
    those whose non-empty values are mostly (more than half) levels of ``factor`` or
    'none'. Each of their cells is checked afterwards (:func:`read_pairs`), so a mistyped
    answer is an error that names it, not a column taken for a factor."""
    allowed = {*map(str, levels), NO_PREFERENCE}
    found = []
    for column in _middle(export.columns, factor):
        given = export[column].dropna().astype(str)
        given = given[given.str.strip() != ""]
        if len(given) and given.isin(allowed).mean() > 0.5:
            found.append(column)
    return found


def _middle(columns, factor: str) -> list[str]:
    """The columns after ``b_<factor>`` up to the trailer: shared factors, then questions."""
    names = list(map(str, columns))
    start = names.index(f"b_{factor}") + 1
    ends = [names.index(c) for c in PAIR_TRAILER if c in names[start:]]
    return [c for c in names[start:min(ends, default=len(names))] if c not in PAIR_HEAD and c != "_line"]


def level_order(a: pd.Series, b: pd.Series, factor: str) -> tuple[str, ...]:
    """The compared levels in the export's order: clip ``a`` has the level that comes
    first (docs/design.md), so a level that is ``a`` against more other levels comes
    earlier; ties in the contract's order for a known factor, else by first appearance."""
    pairs = pd.DataFrame({"a": a.astype(str), "b": b.astype(str)}).drop_duplicates()
    appearance = list(dict.fromkeys([*pairs["a"], *pairs["b"]]))
    known = list(ORDER.get(factor, ()))
    leads = pairs.groupby("a")["b"].nunique()

    def key(level):
        rank = known.index(level) if level in known else len(known) + appearance.index(level)
        return (-int(leads.get(level, 0)), rank)

    return tuple(sorted(appearance, key=key))


def read_pairs(export: pd.DataFrame, *, questions=None, other_questions=(),
               include_pilot: bool = False) -> Pairs:
    """Check a pairs export and return its measured answers (:class:`Pairs`).

    Parameters
    ----------
    export : pandas.DataFrame
        The export as read from its CSV (docs/design.md, "Pairs export").
    questions : sequence of str, optional
        The preference questions' ids; by default every column after the shared
        factors whose answers are mostly levels of the compared factor or 'none'
        (:func:`question_columns`).
    other_questions : sequence of str
        The study's other questions' ids (not analysed here); the shared factors are
        the columns after ``b_<factor>`` before the first question of any kind.
    include_pilot : bool
        Keep pilot participants (left out by default).

    Raises ValueError naming the column, line and participant of the first bad
    value: missing columns, ``left`` not a or b, the two clips with the same
    level of the compared factor outside an attention check, an answer that is
    neither of the trial's two levels nor 'none'.
    """
    require_columns(export, ("participant", "is_practice", *PAIR_MARKS))
    factor = compared_factor(export.columns)
    a_col, b_col = f"a_{factor}", f"b_{factor}"
    if export.empty:
        raise ValueError("the pairs export has no rows.")
    rows = export.reset_index(drop=True).assign(_line=lambda d: d.index + 2)  # header is line 1
    trials = measured_rows(rows, include_pilot=include_pilot)
    for column in (a_col, b_col):
        _refuse(trials, trials[column].isna(), column, "a level of the compared factor")
        trials[column] = trials[column].astype(str)
    levels = level_order(trials[a_col], trials[b_col], factor)
    if questions is None:
        questions = question_columns(trials, factor, levels)
        if not questions:
            raise ValueError(
                f"no preference question found: no column after b_{factor} holds levels of "
                f"{factor} ({', '.join(levels)}) or '{NO_PREFERENCE}' (give the questions with "
                "--questions).")
    questions = tuple(questions)
    require_columns(trials, questions)
    middle = _middle(rows.columns, factor)  # shared factors, then the questions (any kind)
    answer_like = {*questions, *other_questions, *question_columns(trials, factor, levels)}
    first = min([middle.index(c) for c in answer_like if c in middle], default=len(middle))
    shared = tuple(c for c in middle[:first] if trials[c].notna().any())
    left = trials["left"].astype(str).str.strip().str.lower()
    _refuse(trials, ~left.isin(PAIR_SIDES), "left", " or ".join(PAIR_SIDES))
    _refuse(trials, trials[a_col] == trials[b_col], b_col,
            f"another level than {a_col} (the same level on both sides is an attention "
            "check, attention_check = 1)")
    trials = trials.assign(left=left)
    answers = pd.concat([_answers(trials, q, a_col, b_col, shared, levels) for q in questions],
                        ignore_index=True)
    if answers.empty:
        raise ValueError(f"no answers to the preference questions {', '.join(questions)}.")
    rank = {level: i for i, level in enumerate(levels)}
    pairs = tuple(p for _, p in sorted({(rank[a], rank[b]): f"{a} vs {b}"
                                        for a, b in zip(answers["a"], answers["b"], strict=True)}.items()))
    answers["question"] = pd.Categorical(answers["question"], categories=questions)
    answers["pair"] = pd.Categorical(answers["pair"], categories=pairs)
    for column in shared:
        answers[column] = in_display_order(answers[column], column)
    return Pairs(answers, factor, levels, pairs, shared, questions, len(trials),
                 len(export) - len(trials))


def _answers(trials: pd.DataFrame, question: str, a_col: str, b_col: str, shared, levels) -> pd.DataFrame:
    """The long rows of one question: the pair in level order and the choice of a side."""
    raw = trials[question]
    given = raw.notna() & (raw.astype(str).str.strip() != "")
    t = trials.loc[given]
    chosen = t[question].astype(str).str.strip()
    ok = (chosen == t[a_col]) | (chosen == t[b_col]) | (chosen == NO_PREFERENCE)
    _refuse(t, ~ok, question, f"the level of one of the two clips ({a_col} or {b_col}) or "
            f"'{NO_PREFERENCE}'")
    rank = {level: i for i, level in enumerate(levels)}
    swap = t[a_col].map(rank) > t[b_col].map(rank)  # a pair written b-first: read in level order
    a = t[a_col].where(~swap, t[b_col])
    b = t[b_col].where(~swap, t[a_col])
    left = t["left"].where(~swap, t["left"].map({"a": "b", "b": "a"}))
    choice = pd.Series("none", index=t.index).mask(chosen == a, "a").mask(chosen == b, "b")
    left_level = a.where(left == "a", b)
    chose_left = (chosen == left_level).astype("boolean").mask(choice == "none")
    out = pd.DataFrame({
        "study": t["study"].astype(str) if "study" in t else "",
        "participant": t["participant"], "line": t["_line"], "question": question,
        "pair": a + " vs " + b, "a": a, "b": b, "choice": choice, "chosen_level": chosen,
        "left": left, "chose_left": chose_left,
    })
    for factor in shared:
        out[factor] = t[factor]
    return out.reset_index(drop=True)


def _refuse(trials: pd.DataFrame, bad: pd.Series, column: str, expected: str) -> None:
    """ValueError naming the line and participant of the first bad row, if any."""
    if bad.any():
        row = trials.loc[bad].iloc[0]
        raise ValueError(
            f"line {row['_line']} (participant {row['participant']}): {column} must be {expected}; "
            f"got {row[column]!r} ({int(bad.sum())} such row(s))."
        )
