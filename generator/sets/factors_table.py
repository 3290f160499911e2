"""FACTORS.csv of ``stimuli import``: which clip is which condition.

One row per clip: ``file`` (a path relative to the clips folder), one column
per factor (any names: character, emotion, method, condition ...), and
optionally ``sentence``, ``practice`` (1 for the practice clip(s)) and ``id``.
``table_check`` lists every problem of the table at once, as lines naming the
CSV line, so that a lab fixes them in one go.
"""

from __future__ import annotations

import csv
import difflib
import re
from dataclasses import dataclass
from pathlib import Path

from contract import EMOTIONS, EXPORT_HEAD, EXPORT_TAIL
from generator.common.errors import InputError

#: The table's own columns; every other column is a factor.
OWN_COLUMNS = ("file", "id", "sentence", "practice")
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}\Z")


@dataclass(frozen=True)
class Row:
    """One clip of the table; ``line`` is its line in the CSV."""

    line: int
    file: str
    stimulus_id: str
    factors: dict
    sentence: str = ""
    practice: bool = False


@dataclass(frozen=True)
class FactorTable:
    factors: list[str]
    rows: list[Row]


def table_read(path: Path) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """(header, [(line, cells)]) of a UTF-8 CSV (Excel's BOM and ``;`` or tab separators too)."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such factors CSV")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text (save the CSV as UTF-8)") from None
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise InputError(f"{path}: the factors CSV is empty (its first line must name the columns)")
    first = lines[0]
    delimiter = max(",;\t", key=first.count) if any(d in first for d in ",;\t") else ","
    rows = list(csv.reader(lines, delimiter=delimiter))
    body = [(n, cells) for n, cells in enumerate(rows[1:], start=2)
            if any(cell.strip() for cell in cells)]
    return [cell.strip() for cell in rows[0]], body


def _column_problem(name: str, n: int, header: list[str]) -> str:
    """Why column ``n`` (1-based) cannot be read, or ``""``."""
    where = f"line 1, column {n}"
    if not name:
        return f"{where}: the column has no name"
    if header.index(name) != n - 1:
        return f"{where}: column {name!r} appears twice"
    if name in OWN_COLUMNS:
        return ""
    if close := difflib.get_close_matches(name.lower(), OWN_COLUMNS, n=1, cutoff=0.75):
        return f"{where}: unknown column {name!r} (did you mean {close[0]!r}?)"
    if not _NAME.match(name):
        return (f"{where}: unknown column {name!r}: a factor's name is letters, digits and _, "
                "starting with a letter")
    if name in EXPORT_HEAD or name in EXPORT_TAIL:
        return (f"{where}: unknown column {name!r}: the responses export has a column of that "
                "name, so it cannot be a factor")
    return ""


def header_problems(header: list[str]) -> tuple[list[str], list[str]]:
    """(the factor columns, the problems of the header): columns that are empty, twice,
    not a name, an export column, or a misspelt own column (``Practise``) are no factors."""
    problems = [p for n, name in enumerate(header, start=1) if (p := _column_problem(name, n, header))]
    if "file" not in header:
        problems.insert(0, "line 1: no 'file' column (the clip's path relative to --clips)")
    factors = [name for n, name in enumerate(header, start=1)
               if name not in OWN_COLUMNS and not _column_problem(name, n, header)]
    if not factors:
        problems.append("line 1: no factor column (e.g. emotion, method, condition)")
    return factors, problems


def _slug(values) -> str:
    return re.sub(r"[^a-z0-9]+", "-", "-".join(str(v).lower() for v in values)).strip("-") or "clip"


def table_check(header: list[str], body: list[tuple[int, list[str]]]) -> tuple[FactorTable, list[str]]:
    """The table and every problem of it (empty list: usable)."""
    factors, problems = header_problems(header)
    rows, ids, combos = [], {}, {}
    for line, cells in body:
        where = f"line {line}"
        if len(cells) != len(header):
            problems.append(f"{where}: {len(cells)} cells for {len(header)} columns")
            continue
        cell = {name: value.strip() for name, value in zip(header, cells, strict=True)}
        values = {f: cell[f] for f in factors}
        for factor, value in values.items():
            if not value:
                problems.append(f"{where}: factor {factor!r} is empty")
        if "emotion" in values and values["emotion"] and values["emotion"] not in EMOTIONS:
            problems.append(f"{where}: emotion {values['emotion']!r} is not one of "
                            f"{', '.join(EMOTIONS)}")
        if not cell.get("file"):
            problems.append(f"{where}: 'file' is empty")
        practice = cell.get("practice", "")
        if practice not in ("", "0", "1"):
            problems.append(f"{where}: practice is {practice!r}; write 1 for a practice clip, "
                            "0 or nothing otherwise")
        is_practice = practice == "1"
        stimulus_id = cell.get("id", "")
        if stimulus_id and not _ID.match(stimulus_id):
            problems.append(f"{where}: id {stimulus_id!r} is not a file name (letters, digits, "
                            ". _ -, at most 100)")
        elif stimulus_id in ids:
            problems.append(f"{where}: id {stimulus_id!r} is used twice (also line {ids[stimulus_id]})")
        combo = (is_practice, tuple(values.values()))
        if all(values.values()) and combo in combos:
            problems.append(f"{where}: the factor combination "
                            f"{', '.join(f'{k}={v}' for k, v in values.items())} is used twice "
                            f"(also line {combos[combo]})")
        combos.setdefault(combo, line)
        if stimulus_id:
            ids[stimulus_id] = line
        rows.append(Row(line, cell.get("file", ""), stimulus_id, values, cell.get("sentence", ""),
                        is_practice))
    if not problems:
        if not any(row.practice for row in rows):
            problems.append("no row has practice=1: a study starts with a practice clip")
        if all(row.practice for row in rows):
            problems.append("every row is a practice clip: no stimuli")
    return FactorTable(factors, _with_ids(rows, ids)), problems


def _with_ids(rows: list[Row], taken: dict) -> list[Row]:
    """Rows without an id get one from their factor levels (``practice-`` first for
    practice clips), with the CSV line added where that is taken."""
    used, out = set(taken), []
    for row in rows:
        if not row.stimulus_id:
            stimulus_id = ("practice-" if row.practice else "") + _slug(row.factors.values())
            stimulus_id = stimulus_id[:90] if stimulus_id not in used else f"{stimulus_id[:80]}-{row.line}"
            used.add(stimulus_id)
            row = Row(row.line, row.file, stimulus_id, row.factors, row.sentence, row.practice)
        out.append(row)
    return out
