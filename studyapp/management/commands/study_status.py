"""``manage.py study_status``: the dashboard in the terminal."""

from django.core.management.base import BaseCommand

from studyapp.management.study_arg import study_from_slug
from studyapp.status import STATUSES, minutes, study_summary


class Command(BaseCommand):
    help = ("Show a study's progress: participants per group and status, median completion "
            "time, drop-outs with the trial where they stopped, participants whose answers "
            "were refused as sooner than the clip, answers per stimulus, and the signed "
            "pilot link (append it to the server's address).")

    def add_arguments(self, parser):
        parser.add_argument("slug", help="the study's slug")
        parser.add_argument("--stimuli", action="store_true",
                            help="list the answer count of every stimulus (of every pair, in "
                                 "a pairs study)")

    def handle(self, *args, slug, stimuli, **options):
        study = study_from_slug(slug)
        s = study_summary(study)
        out = self.stdout.write
        out(f"{s['title']} ({s['study']}, {s['design']}, {'open' if s['is_open'] else 'closed'})")
        out(f"{'group':>8} " + " ".join(f"{name:>10}" for name in STATUSES))
        for group, counts in s["groups"].items():
            out(f"{group:>8} " + " ".join(f"{counts[name]:>10}" for name in STATUSES))
        out(f"{'all':>8} " + " ".join(f"{s['totals'][name]:>10}" for name in STATUSES))
        out(f"bots: {s['bots']}, pilots: {s['pilots']}, "
            f"median completion: {minutes(s['median_completion_s'])}")
        attention = s["attention"]
        if attention["answered"]:
            out(f"attention checks: {attention['passed']} of {attention['answered']} passed")
        out(f"answers per {s['cell']}: {s['answers_min']} to {s['answers_max']}"
            + ("  (unbalanced)" if s["answers_max"] - s["answers_min"] > 1 else ""))
        if s["dropouts"]:
            out(f"drop-outs and withdrawals ({len(s['dropouts'])}):")
            for d in s["dropouts"]:
                out(f"  {d['participant']}  group {d['group'] or '-'}  {d['stage']:>12}  "
                    f"stopped at trial {d['stopped_at_trial']}")
        if s["too_fast"]:
            out(f"answers refused as sooner than the clip ({len(s['too_fast'])} participant(s); "
                "consider excluding speeders):")
            for t in s["too_fast"]:
                out(f"  {t['participant']}  group {t['group'] or '-'}  {t['stage']:>12}  "
                    f"{t['refused']} refused")
        for code, texts in s["untranslated"].items():
            out(f"warning: shown in the original language to participants reading {code} "
                f"(no translation): {', '.join(texts)}")
        out(f"pilot link (answers marked as pilot data): {s['pilot_link']}")
        if stimuli:
            for row in s["answers_per_stimulus"]:
                out(f"  {row['answers']:>5}  {row['stimulus_id']}  {row['group']}")
