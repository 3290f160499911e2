"""``manage.py run_bots``: rehearse a study with simulated participants."""

import logging

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from studyapp.bots import MODES, bots_run, rehearsal_refusal
from studyapp.management.study_arg import study_from_slug


class Command(BaseCommand):
    help = ("Enrol N simulated participants that go through the real HTTP flow (consent, "
            "practice, every trial, completion), checking each page and that invalid answers "
            "are refused. Bots are marked as such and left out of exports unless "
            "--include-bots is given there.")

    def add_arguments(self, parser):
        parser.add_argument("slug", help="the study's slug")
        parser.add_argument("--n", type=int, default=5, help="number of bots (default: %(default)s)")
        parser.add_argument("--answers", choices=MODES, default="random",
                            help="random answers; 'accurate': the intended emotion with a set "
                                 "probability per method and ratings around set means (on a "
                                 "pairs study: the clip whose method profile is better, with "
                                 "noise); 'observer': answers from each clip's measures in the "
                                 "manifest (an observer pilot, README)")
        parser.add_argument("--seed", type=int, default=0, help="seed of the bots' choices")

    def handle(self, *args, slug, n, answers, seed, **options):
        refusal = rehearsal_refusal(study_from_slug(slug), n, answers)
        if refusal:
            raise CommandError(refusal)
        # The bots post invalid answers on purpose; Django would log each 4xx.
        logging.getLogger("django.request").setLevel(logging.ERROR)
        with tqdm(total=n, unit="bot", disable=None) as bar:
            completed, failures = bots_run(slug, n=n, mode=answers, seed=seed,
                                           progress=lambda done: bar.update(1))
        for failure in failures:
            self.stderr.write(failure)
        self.stdout.write(f"{completed} of {n} bots completed study {slug!r}.")
        if failures:
            raise CommandError(f"{len(failures)} bot(s) failed.")
