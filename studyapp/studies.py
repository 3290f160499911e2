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
from studyapp.manifest import StimulusSet, manifest_load
from studyapp.models import ATTENTION_CHECKS_NEED_PAPER, Stimulus, Study
from studyapp.questions import PAPER, Question, question_set_store, scored


@dataclass(frozen=True)
class BuildResult:
    study: Study
    created: bool
    changed: bool


def study_build(*, manifest: Path, design: str, slug: str, title: str = "",
                between: str | None = None, questions: tuple[Question, ...] = PAPER,
                language: str | None = None) -> BuildResult:
    """Create (or confirm) the study ``slug`` from a checked manifest, asking
    ``questions`` on every trial (default: the paper's four).

    The same manifest and questions again change nothing; others replace the
    stimuli and questions only while nobody has enrolled. With CLIP_LINKS_ROOT
    set, the study's clip links for nginx are (re)made too (clip_links.py).
    ``language`` sets the participant pages' language (languages.py; None keeps the
    study's, which starts as English).
    """
    result = _study_build(manifest, design, slug, title, between, questions)
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


def _study_build(manifest, design, slug, title, between, questions) -> BuildResult:
    chosen = design_get(design, between)
    stimulus_set = manifest_load(manifest, chosen)
    stimuli_dir = _relative_to_root(stimulus_set.directory)
    stored_questions = question_set_store(questions)
    factors = set(stimulus_set.data.get("factors") or [])
    unscorable = [q.id for q in scored(questions) if q.correct_factor not in factors]
    if unscorable:
        raise ServiceError(f"question(s) {', '.join(unscorable)}: correct_factor names no factor "
                           f"of the manifest (factors: {', '.join(sorted(factors))}).")
    clashing = [q.id for q in questions if q.id in factors and questions != PAPER]
    if clashing:
        raise ServiceError(f"question id(s) {', '.join(clashing)} are factors of the manifest "
                           "too, and both would be export columns: rename the question(s).")
    with transaction.atomic():
        study = Study.objects.select_for_update().filter(slug=slug).first()
        if study is not None:
            same = (study.manifest_sha256 == stimulus_set.sha256 and study.design == chosen.name
                    and study.between_factor == (chosen.between or "")
                    and study.questions == stored_questions)
            if same:
                return BuildResult(study, created=False, changed=False)
            if study.participants.exists():
                raise ServiceError(
                    f"study {slug!r} already has {study.participants.count()} participant(s); "
                    "it will not be rebuilt from a different manifest, design or questions. "
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
        if stored_questions and study.attention_checks:
            raise ServiceError(ATTENTION_CHECKS_NEED_PAPER)
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
