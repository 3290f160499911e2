"""What every command-line front door of analysis/ shares: reading a CSV,
writing JSON with null for missing numbers, and one-line errors."""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd


def read_csv(path: str | Path) -> pd.DataFrame:
    """Read a CSV file, turning every way it can fail into a ValueError sentence."""
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"file not found: {path}")
    return csv_frame(path, str(path))


def csv_frame(source, name: str) -> pd.DataFrame:
    """A CSV (a path or a file-like object, called ``name`` in messages) as a data frame."""
    try:
        # Only empty fields are missing: a level called "NA" or "None" stays a level.
        return pd.read_csv(source, keep_default_na=False, na_values=[""])
    except pd.errors.EmptyDataError:
        raise ValueError(f"{name} is empty.") from None
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise ValueError(f"{name} is not a readable CSV file ({exc}).") from None


def jsonable(value):
    """Plain JSON types, with None (null) for NaN, infinity and pandas' NA."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, pd.DataFrame):
        return jsonable(value.to_dict(orient="records"))
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or value is pd.NA or (isinstance(value, float) and not math.isfinite(value)):
        return None
    return value


def dumps(value) -> str:
    """JSON text of ``value`` (see :func:`jsonable`), indented, never NaN."""
    return json.dumps(jsonable(value), indent=2, allow_nan=False)


def write_companions(out: Path, document: dict, tables: dict[str, pd.DataFrame]) -> None:
    """What a report writes beside its PDF ``out``: ``document`` as JSON (``report.json``
    for ``report.pdf``) and each table as CSV in a folder (``report-tables/<name>.csv``)."""
    out.with_suffix(".json").write_text(dumps(document) + "\n")
    folder = out.with_name(out.stem + "-tables")
    folder.mkdir(exist_ok=True)
    for name, table in tables.items():
        table.to_csv(folder / f"{name}.csv", index=False)


def run(main: Callable[[list[str] | None], int | None], prog: str, argv: list[str] | None = None) -> None:
    """Run ``main(argv)`` and exit; expected failures print one line, not a traceback."""
    try:
        code = main(argv)
    except (ValueError, OSError) as exc:
        print(f"{prog}: error: {exc}", file=sys.stderr)
        code = 2
    except KeyboardInterrupt:
        print(f"{prog}: interrupted", file=sys.stderr)
        code = 130
    sys.exit(code or 0)
