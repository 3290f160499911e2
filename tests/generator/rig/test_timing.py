"""Artist timing (rig/timing.py): the GT's visemes stray from the audio as configured.

The statistics are measured the way an analysis of the dataset would: the lag
of each GT track against its audio-aligned twin is estimated from the tracks
alone (``track_lag_frames`` on ``jawOpen``) and compared with the configured
offset distribution.
"""

from __future__ import annotations

import numpy as np
import pytest

from generator.rig.animator import Phoneme, animate
from generator.rig.controls import FPS, INDEX
from generator.rig.expressions import viseme_of
from generator.rig.timing import (
    ALWAYS_KEYED,
    DEFAULT_TIMING,
    NO_TIMING,
    artist_keys,
    track_lag_frames,
)

SYMBOLS = ["b", "a", "t", "I", "m", "@", "s", "O:", "f", "E", "n", "d", "aI", "k", "u:", "l"]


def _line(seed: int, n: int = 36) -> list[Phoneme]:
    """A spoken line: phoneme lengths log-normal around 70 ms (espeak's at 165 wpm: median
    72 ms, 11 % under one frame), 0.3 s of pause before and 0.4 s after."""
    rng = np.random.default_rng(seed)
    lengths = np.exp(rng.normal(np.log(0.07), 0.45, n))
    starts = 0.3 + np.concatenate([[0], np.cumsum(lengths)[:-1]])
    line = [Phoneme("_", 0.0, 0.3)]
    line += [Phoneme(SYMBOLS[rng.integers(len(SYMBOLS))], float(s), float(s + d))
             for s, d in zip(starts, lengths, strict=True)]
    end = line[-1].end_s
    return line + [Phoneme("_", end, end + 0.4)]


def _animation(seed: int, timing=DEFAULT_TIMING):
    line = _line(seed)
    n_frames = int(np.ceil(line[-1].end_s * FPS))
    return line, animate(line, emotion="neutral", n_frames=n_frames, seed=seed, timing=timing)


def test_without_artist_timing_the_gt_is_the_aligned_track():
    line, animation = _animation(3, NO_TIMING)
    assert animation.track is animation.aligned
    keyed, report = artist_keys(line, NO_TIMING, np.random.default_rng(0))
    assert keyed == line and report.dropped == () and report.held == ()
    assert DEFAULT_TIMING.scaled(0) == NO_TIMING
    assert DEFAULT_TIMING.scaled(2).offset_sd_frames == 2 * DEFAULT_TIMING.offset_sd_frames


def test_timing_does_not_change_the_rest_of_the_face():
    _, a = _animation(5)
    _, b = _animation(5, NO_TIMING)
    np.testing.assert_array_equal(a.aligned, b.track)
    eyes = [INDEX["eyeBlinkLeft"], INDEX["browInnerUp"], INDEX["eyeLookUpLeft"]]
    np.testing.assert_array_equal(a.track[:, eyes], b.track[:, eyes])


def test_estimated_lags_match_the_configured_offset_distribution():
    cfg = DEFAULT_TIMING
    lags, offsets = [], []
    for seed in range(160):
        _, animation = _animation(seed)
        jaw = INDEX["jawOpen"]
        lags.append(track_lag_frames(animation.track[:, jaw], animation.aligned[:, jaw]))
        offsets.append(animation.keys.offset_s * FPS)
    lags, offsets = np.array(lags), np.array(offsets)
    # The configured distribution: normal(mean, sd) clipped at +-max frames.
    assert abs(offsets.mean() - cfg.offset_mean_frames) < 0.35
    assert abs(offsets.std() - cfg.offset_sd_frames) < 0.3
    assert np.abs(offsets).max() <= cfg.offset_max_frames
    # What the tracks alone show: the estimated lag follows each line's offset ...
    assert np.mean(np.abs(lags - offsets) <= 1.0) > 0.9
    assert np.corrcoef(lags, offsets)[0, 1] > 0.85
    # ... so its distribution is the configured one (the mean led by 1-2 frames).
    assert abs(lags.mean() - cfg.offset_mean_frames) < 0.4
    assert abs(lags.std() - cfg.offset_sd_frames) < 0.4
    assert np.mean(lags < 0) > 0.7


def test_dropped_and_held_visemes_at_their_configured_rates():
    cfg = DEFAULT_TIMING
    eligible = dropped = spoken = held = 0
    for seed in range(300):
        line = _line(seed)
        keyed, report = artist_keys(line, cfg, np.random.default_rng(seed))
        short = [i for i, p in enumerate(line) if p.symbol != "_" and i > 0
                 and viseme_of(p.symbol) not in ALWAYS_KEYED
                 and p.end_s - p.start_s < cfg.drop_below_frames / FPS]
        assert set(report.dropped) <= set(short)  # never a lip closure, never a long sound
        assert len(keyed) == len(line) - len(report.dropped)
        assert all(1 <= frames <= 2 for _, frames in report.held)
        eligible += len(short)
        dropped += len(report.dropped)
        spoken += sum(p.symbol != "_" for p in line[:-1])
        held += len(report.held)
    assert eligible > 300
    assert abs(dropped / eligible - cfg.drop_p) < 0.07
    assert abs(held / spoken - cfg.hold_p) < 0.02


def test_keys_land_on_whole_frames_and_in_order():
    line = _line(1)
    keyed, _ = artist_keys(line, DEFAULT_TIMING, np.random.default_rng(1))
    times = np.array([p.start_s for p in keyed] + [keyed[-1].end_s])
    np.testing.assert_allclose(times[:-1] * FPS, np.round(times[:-1] * FPS), atol=1e-9)
    assert np.all(np.diff(times) >= 0)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_artist_still_seals_the_lips_on_every_bilabial(seed):
    line, animation = _animation(seed)
    closure = animation.track[:, INDEX["mouthClose"]]
    for p in line:
        if viseme_of(p.symbol) == "bilabial" and p.end_s - p.start_s >= 0.04:
            window = slice(max(0, int(p.start_s * FPS) - 5), int(p.end_s * FPS) + 5)
            assert closure[window].max() > 0.9
