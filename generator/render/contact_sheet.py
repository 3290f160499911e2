"""A contact sheet: one still per character (rows) x emotion (columns), labelled."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import skia

from generator.common.fileio import atomic_target

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
LABEL = {"anger": "Anger", "disgust": "Disgust", "fear": "Fear", "joy": "Happiness",
         "neutral": "Neutral", "sadness": "Sadness", "surprise": "Surprise"}


def _typeface() -> skia.Typeface:
    """DejaVu Sans, read from its folder when present: that skips fontconfig, whose
    configuration on Debian 13 makes skia's bundled copy print warnings."""
    if FONT_DIR.is_dir():
        face = skia.FontMgr.New_Custom_Directory(str(FONT_DIR)).matchFamilyStyle(
            "DejaVu Sans", skia.FontStyle())
        if face is not None:
            return face
    return skia.Typeface("DejaVu Sans")


def contact_sheet_write(path: Path, stills: dict[tuple[str, str], np.ndarray],
                        characters: list[str], emotions: list[str], *, cell: int = 200) -> Path:
    """Write a PNG grid of ``stills[(character, emotion)]`` (RGBA arrays of any size)."""
    font = skia.Font(_typeface(), 20)
    # the label column fits the longest row label ("Malcolm ETAD" on the Task 2 sheet)
    margin_left = 16 + max(110, int(max(font.measureText(c) for c in characters)))
    margin_top = 34
    width, height = margin_left + cell * len(emotions), margin_top + cell * len(characters)
    surface = skia.Surface(width, height)
    canvas = surface.getCanvas()
    canvas.clear(skia.ColorWHITE)
    ink = skia.Paint(AntiAlias=True, Color=skia.ColorBLACK)
    sampling = skia.SamplingOptions(skia.FilterMode.kLinear, skia.MipmapMode.kLinear)
    for col, emotion in enumerate(emotions):
        canvas.drawString(LABEL.get(emotion, emotion), margin_left + col * cell + 12, 24,
                          font, ink)
    for row, character in enumerate(characters):
        y = margin_top + row * cell
        canvas.drawString(character, 8, y + cell / 2, font, ink)
        for col, emotion in enumerate(emotions):
            image = skia.Image.fromarray(np.ascontiguousarray(stills[(character, emotion)]),
                                         colorType=skia.kRGBA_8888_ColorType)
            x = margin_left + col * cell
            canvas.drawImageRect(image, skia.Rect(x + 2, y + 2, x + cell - 2, y + cell - 2),
                                 sampling)
    with atomic_target(Path(path)) as tmp:
        surface.makeImageSnapshot().save(str(tmp), skia.kPNG)
    return Path(path)
