"""``manage.py export_responses``: the responses CSV of docs/design.md."""

import json
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
        parser.add_argument("--question-set", action="store_true",
                            help="write the study's own questions as JSON instead (one object "
                                 "per question; [] for the paper's four): what "
                                 "analysis.report --study reads to analyse each by its kind")

    def handle(self, *args, slug, out, participants, include_bots, include_withdrawn,
               question_set, **options):
        study = study_from_slug(slug)
        if question_set:
            def questions(handle) -> int:
                handle.write(json.dumps(study.questions, ensure_ascii=False) + "\n")
                return len(study.questions)

            self._write(out, questions, "own question(s)")
            return
        columns, rows = export_table(study, participants=participants, include_bots=include_bots,
                                     include_withdrawn=include_withdrawn)
        self._write(out, lambda handle: csv_write(handle, columns, rows), "rows")

    def _write(self, out: str, write, what: str) -> None:
        """``write(handle)`` to standard output, or atomically to the file ``out``."""
        if out == "-":
            write(self.stdout)
            return
        path = Path(out)
        if not path.parent.is_dir():
            raise CommandError(f"cannot write {out}: folder {path.parent} does not exist.")
        partial = path.with_name(path.name + ".partial")
        with open(partial, "w", newline="", encoding="utf-8") as handle:
            count = write(handle)
        partial.replace(path)
        self.stderr.write(f"wrote {count} {what} to {out}")
