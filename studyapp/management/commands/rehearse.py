"""``manage.py rehearse``: a study's dress rehearsal in one command (bots, export,
report and power analysis), before any participant is paid."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from studyapp.bots import MODES, rehearsal_refusal
from studyapp.export import csv_write, export_table
from studyapp.management.study_arg import study_from_slug
from studyapp.services import study_bots_remove


class Command(BaseCommand):
    help = ("Rehearse a study: N bots go through the real HTTP flow, their answers (and only "
            "theirs: bots never mix with real participants) are exported to DIR/responses.csv, "
            "analysed into DIR/report.pdf and, with 2 bots or more, into a power analysis "
            "(DIR/power/); then the study's status and the paths are printed.")

    def add_arguments(self, parser):
        parser.add_argument("slug", help="the study's slug")
        parser.add_argument("--bots", type=int, default=6, help="how many bots (default 6)")
        parser.add_argument("--answers", choices=MODES, default="accurate",
                            help="random answers, accurate ones with clear method effects, or "
                                 "observer ones from each clip's measures (run_bots; default "
                                 "accurate)")
        parser.add_argument("--seed", type=int, default=0, help="seed of the bots' choices")
        parser.add_argument("--out", type=Path, default=None,
                            help="folder for the rehearsal's files (default var/rehearsal/SLUG)")
        parser.add_argument("--clean", action="store_true",
                            help="first remove the bots of an earlier rehearsal (their answers "
                                 "too); real participants are never touched")

    def handle(self, *args, slug, bots, answers, seed, out, clean, **options):
        study = study_from_slug(slug)
        refusal = rehearsal_refusal(study, bots, answers)
        if refusal:  # before --clean removes anything
            raise CommandError(refusal)
        out = out or Path(settings.BASE_DIR) / "var" / "rehearsal" / slug
        out.mkdir(parents=True, exist_ok=True)
        if clean:
            self.stdout.write(f"removed {study_bots_remove(study=study)} bot(s) of an earlier "
                              "rehearsal")
        call_command("run_bots", slug, n=bots, answers=answers, seed=seed, stdout=self.stdout,
                     stderr=self.stderr)  # a failed bot ends the rehearsal there
        responses = out / "responses.csv"
        with open(responses, "w", newline="", encoding="utf-8") as handle:
            csv_write(handle, *export_table(study, bots_only=True))
        made = [responses]
        if bots < 2:
            self.stdout.write("one bot: no report (its ANOVAs need two participants or more)")
        else:
            made += self._report_and_power(study, responses, out, seed)
        call_command("study_status", slug, stdout=self.stdout)
        self.stdout.write(f"{bots} bots rehearsed study {slug!r}; their answers stay out "
                          "of the real export. Files:")
        for path in made:
            self.stdout.write(f"  {path}")

    def _report_and_power(self, study, responses: Path, out: Path, seed: int) -> list[Path]:
        """The report of the rehearsal's answers and the power analysis of its first measure."""
        report = ["--responses", str(responses), "--out", str(out / "report.pdf"), "--quiet"]
        if study.questions:
            (out / "questions.json").write_text(json.dumps(study.questions, ensure_ascii=False))
            report += ["--questions", str(out / "questions.json")]
        self._analysis("report", report)
        made = [out / "report.pdf"]
        dv = _first_measure(study.questions)
        if dv:
            within = json.loads((out / "report.json").read_text())["meta"]["within"]
            self._analysis("power", ["--responses", str(responses), "--dv", dv,
                                     "--within", *within, "--sims", "500",
                                     "--seed", str(seed), "--out", str(out / "power")])
            made.append(out / "power")
        return made

    def _analysis(self, module: str, arguments: list[str]) -> None:
        """``python -m analysis.MODULE`` in its own process: the app never imports the
        analysis; the responses CSV is all they share (docs/design.md)."""
        done = subprocess.run([sys.executable, "-m", f"analysis.{module}", *arguments],
                              cwd=settings.BASE_DIR, capture_output=True, text=True)
        if done.returncode != 0:
            lines = done.stderr.strip().splitlines() or ["no message"]
            raise CommandError(f"analysis.{module} failed: {lines[-1]}")


def _first_measure(questions: list[dict]) -> str:
    """The export column the power analysis is run on: recognition (``correct``) for the
    paper's questions; else the first scale or slider, or the first scored choice's
    accuracy ("" when the study asks none of these)."""
    if not questions:
        return "correct"
    rated = [q["id"] for q in questions if q["kind"] in ("scale", "slider")]
    scored = [f"{q['id']}_correct" for q in questions
              if q["kind"] == "choice" and q.get("correct_factor")]
    return (rated + scored + [""])[0]
