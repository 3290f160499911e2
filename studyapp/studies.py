"""Building a study from a stimulus manifest (and its own questions), and keeping
nginx's clip links in step with it: the writes experimenters make through
``build_study``, ``demo_setup`` and the admin.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction

from studyapp.clip_links import clip_links_root, clip_links_write
from studyapp.designs import design_get
from studyapp.errors import ServiceError
from studyapp.manifest import ManifestError, StimulusSet, manifest_load
from studyapp.models import Stimulus, Study
from studyapp.pairs import pair_problems
from studyapp.questions import (
    PAIR_QUESTIONS,
    PAPER,
    Question,
    attention_checks_problem,
    preferences,
    question_set,
    question_set_store,
    scored,
)


@dataclass(frozen=True)
class BuildResult:
    study: Study
    created: bool
    changed: bool


def study_build(*, manifest: Path, design: str, slug: str, title: str = "",
                between: str | None = None, questions: tuple[Question, ...] | None = None,
                language: str | None = None, compare: str | None = None,
                against: str | None = None) -> BuildResult:
    """Create (or confirm) the study ``slug`` from a checked manifest, asking
    ``questions`` on every trial (default: the paper's four; for a pairs study, the
    three preference questions of ``PAIR_QUESTIONS``).

    ``design="pairs"`` needs ``compare`` (the factor whose levels each pair shows,
    pairs.py) and may take ``against`` (the level every pair is against).

    The same manifest and questions again change nothing; others replace the
    stimuli and questions only while nobody has enrolled. With CLIP_LINKS_ROOT
    set, the study's clip links for nginx are (re)made too (clip_links.py).
    ``language`` sets the participant pages' language (languages.py; None keeps the
    study's, which starts as English).
    """
    _pairs_arguments_check(design, compare, against)
    if questions is None:
        questions = PAIR_QUESTIONS if design == "pairs" else PAPER
    result = _study_build(manifest, design, slug, title, between, questions,
                          compare or "", against or "")
    if language and result.study.language != language:
        Study.objects.filter(pk=result.study.pk).update(language=language)
        result.study.language = language
    study_links_refresh(result.study)
    return result


def study_links_refresh(study: Study) -> None:
    """Make the study's clip links for nginx match it (CLIP_LINKS_ROOT set): after a
    build, and whenever it is opened or closed (clip_links.py)."""
    root = clip_links_root()
    if root is not None:
        clip_links_write(study, root)


def _pairs_arguments_check(design: str, compare: str | None, against: str | None) -> None:
    """--compare and --against go with --design pairs, which needs --compare."""
    if design == "pairs" and not compare:
        raise ServiceError("--design pairs needs --compare FACTOR: the factor whose levels "
                           "each pair shows (e.g. --compare method).")
    if design != "pairs" and (compare or against):
        raise ServiceError("--compare and --against are for --design pairs (two clips per "
                           f"trial); design {design} shows one clip per trial.")
    if against and not compare:
        raise ServiceError("--against LEVEL needs --compare FACTOR.")


def _questions_check(questions: tuple[Question, ...], factors: set, compare: str) -> None:
    """Refuse questions that cannot be asked or exported in this study: a correct_factor
    naming no factor (or the compared one, which differs between a pair's clips), ids
    that are export columns too, a preference question on single clips."""
    unscorable = [q.id for q in scored(questions)
                  if q.correct_factor not in factors or q.correct_factor == compare]
    if unscorable:
        raise ServiceError(f"question(s) {', '.join(unscorable)}: correct_factor names no factor "
                           f"of the manifest that both clips share (factors: "
                           f"{', '.join(sorted(factors))}).")
    columns = factors | ({f"a_{compare}", f"b_{compare}"} if compare else set())
    clashing = [q.id for q in questions if q.id in columns and questions != PAPER]
    if clashing:
        raise ServiceError(f"question id(s) {', '.join(clashing)} are factors of the manifest "
                           "too, and both would be export columns: rename the question(s).")
    if not compare and preferences(questions):
        raise ServiceError(f"question(s) {', '.join(q.id for q in preferences(questions))} ask "
                           "for a preference between two clips, and this study shows one clip "
                           "per trial: build it with --design pairs --compare FACTOR.")


def _study_build(manifest, design, slug, title, between, questions, compare,
                 against) -> BuildResult:
    chosen = design_get(design, between)
    stimulus_set = manifest_load(manifest, chosen)
    if compare:
        problems = pair_problems(stimulus_set.stimuli, compare, against or None, chosen.between)
        if problems:
            raise ManifestError(stimulus_set.path, problems)
    stimuli_dir = _relative_to_root(stimulus_set.directory)
    stored_questions = question_set_store(questions)
    factors = set(stimulus_set.data.get("factors") or [])
    _questions_check(questions, factors, compare)
    with transaction.atomic():
        study = Study.objects.select_for_update().filter(slug=slug).first()
        if study is not None:
            same = (study.manifest_sha256 == stimulus_set.sha256 and study.design == chosen.name
                    and study.between_factor == (chosen.between or "")
                    and study.questions == stored_questions
                    and (study.compare_factor, study.compare_against) == (compare, against))
            if same:
                return BuildResult(study, created=False, changed=False)
            if study.participants.exists():
                raise ServiceError(
                    f"study {slug!r} already has {study.participants.count()} participant(s); "
                    "it will not be rebuilt from a different manifest, design, comparison or "
                    "questions. "
                    "Build a new study with another --slug.", status=409)
            study.stimuli.all().delete()
        created = study is None
        study = study or Study(slug=slug)
        study.title = title or study.title or stimulus_set.data.get("name") or slug
        study.design = chosen.name
        study.between_factor = chosen.between or ""
        study.stimuli_dir = stimuli_dir
        study.manifest_sha256 = stimulus_set.sha256
        study.manifest_factors = list(stimulus_set.data.get("factors") or [])
        study.is_placeholder = bool(stimulus_set.data.get("placeholder", False))
        study.questions = stored_questions
        study.compare_factor, study.compare_against = compare, against
        if study.attention_checks:
            problem = attention_checks_problem(question_set(stored_questions),
                                               pairs=study.is_pairs)
            if problem:
                raise ServiceError(problem)
        study.save()
        _stimuli_create(study, stimulus_set)
    return BuildResult(study, created=created, changed=True)


def _relative_to_root(directory: Path) -> str:
    root = Path(settings.STIMULI_ROOT).resolve()
    try:
        return directory.resolve().relative_to(root).as_posix()
    except ValueError:
        raise ServiceError(
            f"the stimulus set {directory} is outside STIMULI_ROOT ({root}): "
            "move the set there or point STIMULI_ROOT at its parent folder.") from None


def _stimuli_create(study: Study, stimulus_set: StimulusSet) -> None:
    between = study.between_factor
    rows = []
    for is_practice, items in ((True, stimulus_set.practice), (False, stimulus_set.stimuli)):
        for item in items:
            factors = item["factors"]
            rows.append(Stimulus(
                study=study, stimulus_id=item["id"], file=item["file"],
                poster=item.get("poster", ""), sha256=item.get("sha256", ""),
                duration_s=item.get("duration_s"), sentence=item.get("sentence", ""),
                factors=factors, measures=item.get("measures") or {}, is_practice=is_practice,
                group="" if is_practice or not between else str(factors[between]),
            ))
    Stimulus.objects.bulk_create(rows)
