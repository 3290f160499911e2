"""Placeholder stimulus set for the demo, until the renderer makes real clips.

Each clip is a coloured card that names its emotion and character, with a
tone, clearly labelled PLACEHOLDER, written as H.264/AAC MP4 at 25 fps so the
study app can be exercised end to end (docs/design.md, manifest contract).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from generator.manifest import manifest_write, stimulus_entry
from generator.video import clip_write

EMOTIONS = ("anger", "disgust", "fear", "joy", "neutral", "sadness", "surprise")
CHARACTERS = ("Mery", "Ray")
# One hue per emotion so the cards are told apart at a glance.
EMOTION_RGB = {
    "anger": (200, 60, 50), "disgust": (110, 150, 60), "fear": (120, 90, 170),
    "joy": (235, 185, 40), "neutral": (150, 150, 150), "sadness": (60, 110, 190),
    "surprise": (230, 120, 190),
}


def _card_frames(label: str, rgb: tuple[int, int, int], n_frames: int, size: int) -> np.ndarray:
    """(T, H, W, 4) RGBA frames: a card with a label and a bar that sweeps with time."""
    import skia

    frames = np.empty((n_frames, size, size, 4), dtype=np.uint8)
    font = skia.Font(skia.Typeface("DejaVu Sans"), size / 14)
    small = skia.Font(skia.Typeface("DejaVu Sans"), size / 22)
    for t in range(n_frames):
        surface = skia.Surface(frames[t], colorType=skia.kRGBA_8888_ColorType)
        canvas = surface.getCanvas()
        canvas.clear(skia.Color(*rgb))
        paint = skia.Paint(AntiAlias=True, Color=skia.ColorWHITE)
        canvas.drawString("PLACEHOLDER", size * 0.08, size * 0.2, small, paint)
        canvas.drawString(label, size * 0.08, size * 0.5, font, paint)
        bar = (t + 1) / n_frames
        canvas.drawRect(skia.Rect(0, size * 0.9, size * bar, size * 0.95), paint)
        surface.flushAndSubmit()
    return frames


def placeholder_set_write(out_dir: Path, *, duration_s: float = 2.0, size: int = 256) -> Path:
    """Write 2 characters x 7 emotions of placeholder clips and a practice clip."""
    out_dir = Path(out_dir)
    (out_dir / "clips").mkdir(parents=True, exist_ok=True)
    n_frames = int(round(duration_s * 25))

    def make(stimulus_id: str, label: str, rgb, factors: dict, tone_hz: float) -> dict:
        clip = out_dir / "clips" / f"{stimulus_id}.mp4"
        t = np.arange(int(duration_s * 16000)) / 16000
        audio = (0.2 * np.sin(2 * np.pi * tone_hz * t)).astype(np.float32)
        clip_write(clip, _card_frames(label, rgb, n_frames, size), audio, sample_rate=16000)
        return stimulus_entry(out_dir, stimulus_id=stimulus_id, clip=clip, factors=factors,
                              duration_s=duration_s, sentence="(placeholder tone)")

    stimuli = [
        make(f"{character.lower()}-{emotion}-placeholder", f"{character}: {emotion}",
             EMOTION_RGB[emotion], {"character": character, "emotion": emotion},
             tone_hz=220 + 40 * i)
        for character in CHARACTERS
        for i, emotion in enumerate(EMOTIONS)
    ]
    practice = [make("practice-placeholder", "Practice", (90, 90, 90),
                     {"character": "Mery", "emotion": "neutral"}, tone_hz=330)]
    return manifest_write(
        out_dir, name="demo", placeholder=True,
        description="PLACEHOLDER clips: 2 characters x 7 emotions, coloured cards with a tone",
        factors=["character", "emotion"], practice=practice, stimuli=stimuli,
    )
