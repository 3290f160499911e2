"""Pairs studies' fixtures: a small set of clips that pair on ``method``."""

from __future__ import annotations

import pytest

PAIR_SLUG = "pairs"


@pytest.fixture
def pair_rows():
    """2 characters x 2 emotions x 3 methods: 4 combinations, 3 method pairs each."""
    return [{"character": c, "emotion": e, "method": m} for c in ("Mery", "Ray")
            for e in ("anger", "joy") for m in ("GT", "ETAD", "EVP")]


@pytest.fixture
def pair_study(db, make_set, pair_rows):
    """The small set built as a pairs study comparing methods (12 pairs)."""
    from studyapp.studies import study_build

    return study_build(manifest=make_set("pairs", pair_rows), design="pairs", slug=PAIR_SLUG,
                       compare="method").study


@pytest.fixture
def pair_walker(pair_study):
    """A participant of ``pair_study`` who has reached the practice pair."""
    from tests.studyapp.participant import Walker

    w = Walker(PAIR_SLUG)
    w.to_trials()
    return w
