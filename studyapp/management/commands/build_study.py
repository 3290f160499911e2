"""``manage.py build_study``: a thin shell over studies.study_build."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from studyapp.designs import DESIGNS
from studyapp.errors import ServiceError
from studyapp.languages import study_language_choices
from studyapp.manifest import ManifestError
from studyapp.questions import QuestionsError, questions_parse
from studyapp.selectors import pair_count
from studyapp.studies import study_build


class Command(BaseCommand):
    help = ("Check a stimulus manifest against a design and create the study, with the "
            "paper's four questions or the study's own (--questions); --design pairs --compare "
            "FACTOR makes an A/B preference study of clip pairs instead. Every problem is "
            "listed at once and nothing is created while any remains. Running it again with "
            "the same manifest and questions changes nothing.")

    def add_arguments(self, parser):
        parser.add_argument("manifest", help="path to the stimulus set's manifest.json "
                                             "(inside STIMULI_ROOT)")
        parser.add_argument("--design", required=True, choices=list(DESIGNS),
                            help="task1: 7 characters x 7 emotions x 2 sentence types, sentence "
                                 "group between; task2: 6 characters x 7 emotions x 3 methods; "
                                 "custom: every stimulus of the manifest; pairs: two clips per "
                                 "trial that differ in --compare FACTOR")
        parser.add_argument("--slug", required=True,
                            help="short name used in the participant link /s/SLUG/")
        parser.add_argument("--title", default="", help="title shown to participants")
        parser.add_argument("--between", default=None,
                            help="custom and pairs designs only: factor whose levels split "
                                 "participants into groups")
        parser.add_argument("--compare", default=None, metavar="FACTOR",
                            help="pairs design: the factor whose levels each pair shows; every "
                                 "pair of its levels is shown for every combination of the "
                                 "other factors (e.g. --compare method on the Task 2 set: 6 x 7 x "
                                 "3 = 126 pairs)")
        parser.add_argument("--against", default=None, metavar="LEVEL",
                            help="pairs design: show each other level against this one only "
                                 "(e.g. --against GT)")
        parser.add_argument("--language", default=None, choices=[c for c, _ in study_language_choices()],
                            help="language of the participant pages: en, zh-hans, or choice "
                                 "(the participant's: ?lang= on the link, else the browser's, "
                                 "and a switch on the information sheet); default en, and a "
                                 "rebuild keeps the study's setting")
        parser.add_argument("--questions", type=Path, default=None, metavar="QUESTIONS.toml",
                            help="the study's own questions ([[question]] tables of kind choice, "
                                 "scale, slider, text or preference; README); default: the "
                                 "paper's four, or for pairs three preference questions (lip "
                                 "sync, naturalness, expression)")

    def handle(self, *args, manifest, design, slug, title, between, questions, language,
               compare, against, **options):
        try:
            result = study_build(manifest=manifest, design=design, slug=slug, title=title,
                                 between=between, questions=_questions(questions),
                                 language=language, compare=compare, against=against)
        except (ManifestError, QuestionsError) as exc:
            raise CommandError(str(exc)) from None
        except (ServiceError, ValueError) as exc:
            raise CommandError(str(exc)) from None
        study = result.study
        n = study.stimuli.filter(is_practice=False).count()
        pairs = ""
        if study.is_pairs:
            against = f" against {study.compare_against}" if study.compare_against else ""
            pairs = f", {pair_count(study)} pairs of {study.compare_factor}{against}"
        if not result.changed:
            self.stdout.write(f"study {slug!r} is already built from this manifest; "
                              "nothing changed.")
        else:
            verb = "created" if result.created else "rebuilt"
            self.stdout.write(self.style.SUCCESS(
                f"{verb} study {slug!r} ({study.design}, {n} stimuli{pairs}"
                f"{', between ' + study.between_factor if study.between_factor else ''})."))
        if study.questions:
            self.stdout.write(f"questions: {', '.join(q['id'] for q in study.questions)}")
        self.stdout.write(f"participant link: /s/{slug}/")


def _questions(path: Path | None):
    """The questions of ``path``, or None (the design's default) when no file is given."""
    if path is None:
        return None
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CommandError(f"cannot read the questions file {path}: {exc}") from None
    return questions_parse(text, str(path))
