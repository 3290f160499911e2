"""CSV writing shared by the export command and the dashboard's download button."""

from __future__ import annotations

import csv
from collections.abc import Iterable

from studyapp.models import Study
from studyapp.selectors import PARTICIPANT_COLUMNS, participant_rows, response_columns, response_rows


def export_table(study: Study, *, participants: bool = False, **include):
    """(columns, rows) of the responses export, or of the participants table."""
    if participants:
        return PARTICIPANT_COLUMNS, participant_rows(study, **include)
    return response_columns(study), response_rows(study, **include)


def csv_write(handle, columns: Iterable[str], rows: Iterable[dict]) -> int:
    """Write a header and ``rows`` to ``handle``; return the number of rows."""
    writer = csv.DictWriter(handle, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    count = 0
    for row in rows:
        writer.writerow(row)
        count += 1
    return count
