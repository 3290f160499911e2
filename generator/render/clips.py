"""Render one clip: a character's rig track + audio -> MP4 and poster PNG."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from generator.common.errors import InputError
from generator.common.fileio import audio_read, track_read
from generator.render.renderer import DEFAULT_SIZE, Renderer
from generator.render.video import clip_write, png_write
from generator.rig.character import Character
from generator.rig.controls import CONTROLS, FPS, INDEX, PART
from generator.speech.synthesis import SAMPLE_RATE

MAX_MISMATCH_S = 0.5  # audio and rig track may differ this much; the audio is then fitted
_renderers: dict[tuple[str, int], Renderer] = {}


def renderer_for(character: Character, size: int) -> Renderer:
    """One renderer per character and size per process (they hold a frame buffer)."""
    key = (character.name, size)
    if key not in _renderers:
        _renderers[key] = Renderer(character, size)
    return _renderers[key]


def clip_render(character: Character, rig_values: np.ndarray, audio: np.ndarray | None,
                out: Path, *, poster: Path | None = None, poster_frame: int | None = None,
                size: int = DEFAULT_SIZE, sample_rate: int = SAMPLE_RATE) -> float:
    """Write the clip (and poster) for a (T, K) track of the character's rig; return seconds.

    ``audio`` is at ``sample_rate`` (the dataset's speech by default). The poster is
    ``poster_frame``, or the guessed expression apex when not given.
    """
    renderer = renderer_for(character, size)
    canonical = character.rig.to_canonical(rig_values)
    n = clip_write(out, renderer.frames(canonical), audio, sample_rate=sample_rate)
    if poster is not None:
        index = apex_guess(canonical) if poster_frame is None else poster_frame
        png_write(poster, renderer.frame(canonical[min(index, len(canonical) - 1)]))
    return n / FPS


def apex_guess(canonical: np.ndarray) -> int:
    """The frame where a (T, C) track shows most expression: the most upper-face,
    cheek and nose activity (not speech, not gaze), with open eyes and lips."""
    upper = [INDEX[c] for c in CONTROLS if PART[c] in ("brow", "cheek", "nose")
             or c.startswith(("eyeWide", "eyeSquint"))]
    blink = canonical[:, [INDEX["eyeBlinkLeft"], INDEX["eyeBlinkRight"]]].mean(axis=1)
    score = canonical[:, upper].sum(axis=1) - 2 * blink - canonical[:, INDEX["mouthClose"]]
    return int(np.argmax(score))


def clip_render_files(character: Character, rig_csv: Path, audio_path: Path, out: Path, *,
                      poster: Path | None = None, size: int = DEFAULT_SIZE) -> float:
    """``render``: read and check the inputs, then write the clip."""
    values = track_read(rig_csv, character.rig.controls)
    audio = audio_read(audio_path, SAMPLE_RATE)
    audio_s, track_s = len(audio) / SAMPLE_RATE, len(values) / FPS
    if abs(audio_s - track_s) > MAX_MISMATCH_S:
        raise InputError(f"{audio_path}: the audio lasts {audio_s:.2f} s but {rig_csv} has "
                         f"{len(values)} frames ({track_s:.2f} s at {FPS} fps)")
    return clip_render(character, values, audio, out, poster=poster, size=size)
