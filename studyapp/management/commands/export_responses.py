"""``manage.py export_responses``: the responses CSV of docs/design.md."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from studyapp.export import csv_write, export_table
from studyapp.management.study_arg import study_from_slug


class Command(BaseCommand):
    help = ("Write a study's answers as CSV: one row per answered trial (the practice trial "
            "flagged is_practice=1, pilot participants flagged pilot=1, catch trials "
            "attention_check=1), or with --participants one row per participant. Bots and "
            "withdrawn participants are left out unless asked for.")

    def add_arguments(self, parser):
        parser.add_argument("slug", help="the study's slug")
        parser.add_argument("--out", default="-", help="file to write (default: standard output)")
        parser.add_argument("--participants", action="store_true",
                            help="one row per participant (group, demographics, progress, "
                                 "times, external ids) instead of one per trial")
        parser.add_argument("--include-bots", action="store_true",
                            help="also export simulated participants (run_bots)")
        parser.add_argument("--include-withdrawn", action="store_true",
                            help="also export participants who withdrew")

    def handle(self, *args, slug, out, participants, include_bots, include_withdrawn, **options):
        study = study_from_slug(slug)
        columns, rows = export_table(study, participants=participants, include_bots=include_bots,
                                     include_withdrawn=include_withdrawn)
        if out == "-":
            csv_write(self.stdout, columns, rows)
            return
        path = Path(out)
        if not path.parent.is_dir():
            raise CommandError(f"cannot write {out}: folder {path.parent} does not exist.")
        partial = path.with_name(path.name + ".partial")
        with open(partial, "w", newline="", encoding="utf-8") as handle:
            count = csv_write(handle, columns, rows)
        partial.replace(path)
        self.stderr.write(f"wrote {count} rows to {out}")
