"""``manage.py export_responses``: the responses CSV of docs/design.md."""

import csv
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from studyapp.models import Study
from studyapp.selectors import (
    PARTICIPANT_COLUMNS,
    participant_rows,
    response_columns,
    response_rows,
)


class Command(BaseCommand):
    help = ("Write a study's answers as CSV: one row per answered trial (the practice trial "
            "flagged is_practice=1), or with --participants one row per participant.")

    def add_arguments(self, parser):
        parser.add_argument("slug", help="the study's slug")
        parser.add_argument("--out", default="-", help="file to write (default: standard output)")
        parser.add_argument("--participants", action="store_true",
                            help="one row per participant (group, demographics, progress, "
                                 "times, external ids) instead of one per trial")

    def handle(self, *args, slug, out, participants, **options):
        study = Study.objects.filter(slug=slug).first()
        if study is None:
            known = ", ".join(Study.objects.values_list("slug", flat=True)) or "none yet"
            raise CommandError(f"no study {slug!r} (studies: {known}).")
        if participants:
            columns, rows = PARTICIPANT_COLUMNS, participant_rows(study)
        else:
            columns, rows = response_columns(study), response_rows(study)
        if out == "-":
            _write(self.stdout, columns, rows)
        else:
            path = Path(out)
            if not path.parent.is_dir():
                raise CommandError(f"cannot write {out}: folder {path.parent} does not exist.")
            partial = path.with_name(path.name + ".partial")
            with open(partial, "w", newline="", encoding="utf-8") as handle:
                count = _write(handle, columns, rows)
            partial.replace(path)
            self.stderr.write(f"wrote {count} rows to {out}")


def _write(handle, columns, rows) -> int:
    writer = csv.DictWriter(handle, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    count = 0
    for row in rows:
        writer.writerow(row)
        count += 1
    return count
