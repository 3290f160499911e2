"""The dataset as the models see it: the split, audio and canonical rig tracks.

The dataset itself is written by ``python -m generator dataset build``
(docs/generator.md); this module only reads it. Models work in the canonical
rig of the primary character (Mery's rig is the canonical one): the 43 face
controls (``FACE``), of which the 19 mouth controls (``MOUTH``) are what M-RPD
measures. Head pose is random idle motion, not speech or emotion, so the models
leave it at rest.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from generator.common.errors import InputError
from generator.rig.controls import CONTROLS, EMOTIONS, FACE_PARTS, PART, emotions_check, rest_pose

FACE: list[int] = [i for i, c in enumerate(CONTROLS) if PART[c] in FACE_PARTS]
MOUTH: list[int] = [i for i, c in enumerate(CONTROLS) if PART[c] == "mouth"]
MOUTH_IN_FACE: list[int] = [FACE.index(i) for i in MOUTH]
#: The sample rate of the audio every model hears: HuBERT's input rate (pretrained
#: HuBERTs take 16 kHz; its 320-sample hop gives 50 Hz features). The MFCC's 25 ms
#: and 10 ms frames are counted at it too. Audio of any other rate is resampled.
AUDIO_RATE = 16000


@dataclass(frozen=True)
class Item:
    id: str
    slug: str
    key: str          # e.g. anger-common-1
    emotion: str
    root: Path

    @property
    def base(self) -> Path:
        return self.root / "items" / self.slug / self.key

    @property
    def meta(self) -> dict:
        return json.loads(self.base.with_suffix(".json").read_text(encoding="utf-8"))


def split_items(dataset: str | Path, slug: str, part: str) -> list[Item]:
    """The complete items of one character in ``part`` ('train' or 'test') of split.json."""
    root = Path(dataset)
    split_path = root / "split.json"
    if not split_path.is_file():
        raise InputError(f"{root}: no dataset here (no split.json); build it with "
                         f"`python -m generator dataset build --out {root}`")
    ids = json.loads(split_path.read_text(encoding="utf-8"))[part]
    items = []
    for identifier in ids:
        item_slug, key = identifier.split("-", 1)
        if item_slug == slug:
            item = Item(identifier, slug, key, key.split("-")[0], root)
            if item.base.with_suffix(".json").is_file():
                items.append(item)
    if not items:
        raise InputError(f"{root}: the {part} split has no built items of {slug!r}; build them "
                         f"with `python -m generator dataset build --out {root} --characters {slug}`")
    return items


@cache
def _audio_cached(path: str) -> np.ndarray:
    from generator.common.fileio import audio_read

    return audio_read(Path(path), AUDIO_RATE)


def item_audio(item: Item) -> np.ndarray:
    return _audio_cached(str(item.base.with_suffix(".wav")))


def item_track(item: Item) -> np.ndarray:
    """(T, C) canonical track of the item."""
    from generator.common.fileio import track_read

    return track_read(item.base.with_suffix(".canonical.csv"), CONTROLS)


def item_aligned_track(item: Item) -> np.ndarray | None:
    """(T, C) the item's audio-aligned canonical track (``.aligned.csv``, the visemes exactly
    on the audio), or None for a dataset built before artist timing kept one."""
    from generator.common.fileio import track_read

    path = item.base.with_suffix(".aligned.csv")
    return track_read(path, CONTROLS) if path.is_file() else None


def emotion_index(emotion: str) -> int:
    """The emotion's position in EMOTIONS (the one-hot's index); InputError if unknown."""
    emotions_check([emotion])
    return EMOTIONS.index(emotion)


def face_to_track(face: np.ndarray) -> np.ndarray:
    """(T, 43) face controls -> (T, C) canonical track, head at rest, clipped to [0, 1]."""
    track = np.tile(rest_pose(), (len(face), 1))
    track[:, FACE] = np.clip(face, 0.0, 1.0)
    return track.astype(np.float32)
