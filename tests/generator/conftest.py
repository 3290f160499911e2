"""Shared fixtures for the generator tests: tiny sizes, short clips."""

from __future__ import annotations

import numpy as np
import pytest

from generator.rig.animator import Phoneme


@pytest.fixture
def phonemes() -> list[Phoneme]:
    """"Bob saw a map": bilabials, an open vowel, a rounded one, with pauses around."""
    spec = [("_", 0.0, 0.3), ("b", 0.3, 0.38), ("0", 0.38, 0.5), ("b", 0.5, 0.58),
            ("s", 0.58, 0.68), ("O:", 0.68, 0.82), ("@", 0.82, 0.88), ("m", 0.88, 0.97),
            ("a", 0.97, 1.15), ("p", 1.15, 1.24), ("_", 1.24, 2.8)]
    return [Phoneme(s, a, b) for s, a, b in spec]


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(0)
