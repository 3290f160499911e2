"""Characters as data: one JSON spec each in ``generator/rig/characters/``.

A spec has three parts:

- ``voice``: the espeak-ng voice and pitch offset the character speaks with;
- ``look``: the drawing parameters (:class:`Look`), read by ``render``;
- ``rig``: the character's own rig, mapped from the canonical one (paper 6.2):
  ``drop`` removes canonical controls the character does not have, ``merge``
  drives several canonical controls from one character control (the mean of
  the sources going in, the same value coming out), ``response`` gives a
  control its own range and non-linear curve. A character control value ``r``
  deforms the face by ``gain * r ** gamma`` (clipped to [0, 1]); mapping a
  canonical value ``c`` into the rig inverts that, ``r = (c / gain) ** (1/gamma)``,
  so a control with ``gain < 1`` saturates before the canonical one does.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from functools import cache
from pathlib import Path

import numpy as np

from contract import PRIMARY_CHARACTER
from generator.common.errors import InputError
from generator.rig.controls import CENTRED, CONTROLS, INDEX, rest_pose

SPEC_DIR = Path(__file__).with_name("characters")
HAIR_STYLES = ("bob", "long", "pigtails", "spiky", "bald", "afro", "short", "bun")


@dataclass(frozen=True)
class Look:
    """How a character is drawn, in units of a 512 x 512 canvas (x right, y down)."""

    skin: str = "#f2c9a8"
    hair: str = "#6b3e26"
    hair_style: str = "bob"
    brow: str = ""            # brow colour; empty: a darker shade of the hair
    iris: str = "#3a6d9e"
    lips: str = "#c9646a"
    shirt: str = "#4a6fa5"
    background: str = "#dfe7ef"
    head_top: float = 100.0   # y of the crown
    head_width: float = 150.0  # half width at the cheekbones
    cheek_y: float = 280.0    # y of the widest point
    jaw_width: float = 105.0  # half width at the jaw corner
    chin_y: float = 440.0     # y of the chin at rest
    chin_round: float = 0.5   # 0: pointed chin, 1: broad round chin
    ear_size: float = 30.0
    eye_y: float = 265.0
    eye_spacing: float = 62.0  # half distance between eye centres
    eye_rx: float = 34.0
    eye_ry: float = 26.0
    iris_r: float = 17.0
    lashes: bool = False
    brow_gap: float = 16.0    # brow above the top of the eye
    brow_length: float = 64.0
    brow_thickness: float = 11.0
    nose_y: float = 330.0
    nose_size: float = 14.0
    nose_length: float = 45.0
    mouth_y: float = 385.0
    mouth_width: float = 40.0  # half width at rest
    lip_upper: float = 7.0
    lip_lower: float = 10.0
    jaw_drop: float = 42.0    # lower lip travel at jawOpen = 1
    blush: float = 0.35       # cheek blush opacity
    freckles: bool = False
    age_lines: bool = False


@dataclass(frozen=True)
class Voice:
    """The espeak-ng voice a character speaks with (see ``speech``)."""

    name: str = "en-us+f3"
    pitch_offset: int = 0  # added to the emotion's pitch (espeak 0-100 scale)


@dataclass(frozen=True)
class CharacterRig:
    """A character's own controls, each driven by one or more canonical controls."""

    controls: tuple[str, ...]
    sources: tuple[tuple[int, ...], ...]  # canonical column indices per control
    gain: np.ndarray = field(repr=False)   # (K,)
    gamma: np.ndarray = field(repr=False)  # (K,)

    def from_canonical(self, track: np.ndarray) -> np.ndarray:
        """(T, C) canonical track -> (T, K) values of this rig's controls."""
        mixed = np.stack([track[:, list(src)].mean(axis=1) for src in self.sources], axis=1)
        out = np.clip(mixed / self.gain, 0.0, 1.0) ** (1.0 / self.gamma)
        return out.astype(np.float32)

    def to_canonical(self, values: np.ndarray) -> np.ndarray:
        """(T, K) rig values -> (T, C) canonical deformation the renderer draws."""
        values = np.clip(np.asarray(values, dtype=np.float64), 0.0, 1.0)
        out = np.tile(rest_pose(), (values.shape[0], 1))
        shaped = np.clip(self.gain * values ** self.gamma, 0.0, 1.0)
        for k, src in enumerate(self.sources):
            out[:, list(src)] = shaped[:, k:k + 1]
        return out.astype(np.float32)


@dataclass(frozen=True)
class Character:
    name: str        # display name, as in the manifest's ``character`` factor
    slug: str        # file-name form
    order: int       # position in listings (the paper's order: Human, Mery, Bonnie, ...)
    primary: bool    # the name is contract.PRIMARY_CHARACTER
    voice: Voice
    look: Look
    rig: CharacterRig
    spec_sha: str    # of the spec file: a changed spec re-renders its clips


def _dataclass_from(cls, data: dict, where: str):
    known = {f.name for f in fields(cls)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise InputError(f"{where}: unknown key(s) {', '.join(unknown)}")
    return cls(**data)


def _rig_build(spec: dict, where: str) -> CharacterRig:
    drop = set(spec.get("drop", []))
    merge: dict[str, list[str]] = spec.get("merge", {})
    response: dict[str, dict] = spec.get("response", {})
    merged_from = {src: name for name, sources in merge.items() for src in sources}
    for name in drop | set(merged_from):
        if name not in INDEX:
            raise InputError(f"{where}: rig names unknown canonical control {name!r}")
    controls, sources = [], []
    for canonical in CONTROLS:
        if canonical in drop:
            continue
        if canonical in merged_from:
            name = merged_from[canonical]
            if name not in controls:
                controls.append(name)
                sources.append(tuple(INDEX[s] for s in merge[name]))
            continue
        controls.append(canonical)
        sources.append((INDEX[canonical],))
    for name in response:
        if name not in controls:
            raise InputError(f"{where}: response for {name!r}, which the rig does not have")
        if name in CENTRED:
            raise InputError(f"{where}: head pose control {name!r} cannot have a response")
    gain = np.array([response.get(c, {}).get("gain", 1.0) for c in controls])
    gamma = np.array([response.get(c, {}).get("gamma", 1.0) for c in controls])
    if (gain <= 0).any() or (gamma <= 0).any():
        raise InputError(f"{where}: rig gain and gamma must be positive")
    return CharacterRig(tuple(controls), tuple(sources), gain, gamma)


def character_load(path: Path) -> Character:
    """Read and check one spec file."""
    import hashlib

    path = Path(path)
    raw = path.read_bytes()
    try:
        spec = json.loads(raw)
    except json.JSONDecodeError as err:
        raise InputError(f"{path}: not valid JSON ({err.msg}, line {err.lineno})") from None
    if "name" not in spec:
        raise InputError(f"{path}: the spec has no name")
    look = _dataclass_from(Look, spec.get("look", {}), f"{path} look")
    if look.hair_style not in HAIR_STYLES:
        raise InputError(f"{path}: hair_style {look.hair_style!r} is not one of {HAIR_STYLES}")
    return Character(
        name=spec["name"], slug=path.stem, order=int(spec.get("order", 99)),
        primary=spec["name"] == PRIMARY_CHARACTER,
        voice=_dataclass_from(Voice, spec.get("voice", {}), f"{path} voice"),
        look=look, rig=_rig_build(spec.get("rig", {}), str(path)),
        spec_sha=hashlib.sha256(raw).hexdigest(),
    )


@cache
def characters() -> dict[str, Character]:
    """Every character in ``SPEC_DIR``, keyed by display name, in the specs' order."""
    loaded = [character_load(p) for p in sorted(SPEC_DIR.glob("*.json"))]
    loaded.sort(key=lambda c: (c.order, c.name))
    return {c.name: c for c in loaded}


def primary_character() -> Character:
    """``contract.PRIMARY_CHARACTER``: the dataset's stylized character, whose rig the models
    predict and adapt to the others (paper 6.2)."""
    if PRIMARY_CHARACTER not in characters():
        raise InputError(f"{SPEC_DIR}: no spec of the primary character {PRIMARY_CHARACTER!r}")
    return characters()[PRIMARY_CHARACTER]


def character_get(name: str) -> Character:
    """A character by display name or slug, case-insensitive."""
    for character in characters().values():
        if name.lower() in (character.name.lower(), character.slug):
            return character
    known = ", ".join(characters())
    raise InputError(f"unknown character {name!r} (known: {known})")
