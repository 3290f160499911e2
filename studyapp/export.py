"""CSV writing shared by the export command and the dashboard's download button."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable

from studyapp.models import Study
from studyapp.selectors import PARTICIPANT_COLUMNS, participant_rows, response_columns, response_rows


def export_table(study: Study, *, participants: bool = False, **include):
    """(columns, rows) of the responses export, or of the participants table."""
    if participants:
        return PARTICIPANT_COLUMNS, participant_rows(study, **include)
    return response_columns(study), response_rows(study, **include)


# A cell starting with one of these opens as a formula in Excel, LibreOffice or
# Google Sheets (OWASP, "CSV Injection"); a number written as text is no formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def spreadsheet_safe(value):
    """``value`` as a CSV cell that a spreadsheet shows as text, never runs as a formula.

    Text that participants control (the gender self-description, Prolific's
    ids) is exported, and ``=HYPERLINK(...)`` in it would run on the
    experimenter's machine: such text gets OWASP's leading single quote.
    Numbers, and text that is a number ("-1" as a factor level), stay as they
    are, since analysis/ reads them as numbers.
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not NUMBER.fullmatch(value):
        return "'" + value
    return value


def csv_write(handle, columns: Iterable[str], rows: Iterable[dict]) -> int:
    """Write a header and ``rows`` to ``handle``, each cell spreadsheet-safe; return
    the number of rows."""
    writer = csv.DictWriter(handle, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    count = 0
    for row in rows:
        writer.writerow({column: spreadsheet_safe(value) for column, value in row.items()})
        count += 1
    return count
