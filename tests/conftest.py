"""Shared fixtures: stimulus sets in a temporary STIMULI_ROOT, built studies, participants."""

from __future__ import annotations

import pytest

from tests.media import design_factor_rows, tiny_clip, write_set


@pytest.fixture(scope="session")
def clip_file(tmp_path_factory):
    return tiny_clip(tmp_path_factory.mktemp("clip") / "tiny.mp4")


@pytest.fixture
def stimuli_root(tmp_path, settings):
    root = tmp_path / "stimuli"
    root.mkdir()
    settings.STIMULI_ROOT = root
    return root


@pytest.fixture
def make_set(stimuli_root, clip_file):
    """make_set(name, rows=None, design=None, extra=None) -> manifest path."""
    def make(name="set", rows=None, design=None, extra=None):
        rows = rows if rows is not None else design_factor_rows(design)
        return write_set(stimuli_root / name, rows, clip_file, name=name, extra=extra)
    return make


@pytest.fixture
def small_rows():
    """A custom design: 2 characters x 3 emotions."""
    return [{"character": c, "emotion": e} for c in ("Mery", "Ray")
            for e in ("anger", "joy", "sadness")]


@pytest.fixture
def small_study(db, make_set, small_rows):
    from studyapp.studies import study_build

    return study_build(manifest=make_set("small", small_rows), design="custom", slug="small").study


@pytest.fixture
def walker(small_study):
    """A participant of ``small_study`` who has reached the practice trial."""
    from tests.studyapp.participant import Walker

    w = Walker("small")
    w.to_trials()
    return w
