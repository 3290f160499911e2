"""``animate``: any speech file -> a character's rig track and clip, by a trained method."""

from __future__ import annotations

from pathlib import Path

from generator.common.errors import InputError
from generator.common.fileio import audio_read, track_write
from generator.models.data import AUDIO_RATE, emotion_index
from generator.models.registry import Methods, audio_check
from generator.render.clips import clip_render
from generator.rig.character import character_get


def animate_file(methods: Methods, *, audio_path: Path, emotion: str, character: str,
                 method: str, out: Path, rig_out: Path | None, size: int) -> float:
    """``animate``: any speech file -> the character's rig track (optional CSV) and clip."""
    emotion_index(emotion)
    target = character_get(character)
    if Path(out).suffix.lower() != ".mp4":
        raise InputError(f"{out}: the clip must be an .mp4 file")
    audio = audio_read(Path(audio_path), AUDIO_RATE)  # any rate and format FFmpeg reads
    audio_check(audio, str(audio_path))
    values = methods.character_rig(method, audio, emotion, target)
    if rig_out is not None:
        track_write(Path(rig_out), target.rig.controls, values)
    return clip_render(target, values, audio, Path(out), poster=Path(out).with_suffix(".png"),
                       size=size, sample_rate=AUDIO_RATE)
