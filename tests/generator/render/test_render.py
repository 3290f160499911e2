"""The renderer: each control changes its own face region; every character x emotion draws."""

from __future__ import annotations

import numpy as np
import pytest

from generator.render.renderer import Renderer
from generator.rig.character import characters
from generator.rig.controls import CONTROLS, EMOTIONS, PART, pose_from, rest_pose
from generator.rig.expressions import EXPRESSIONS

SIZE = 128  # 1/4 of the default: fast, still enough pixels per feature


def _region(look, part: str) -> tuple[float, float, float, float]:
    """(x0, y0, x1, y1) in 512 units where a face part's controls may act."""
    brow_base = look.eye_y - look.eye_ry - look.brow_gap
    spread = look.eye_spacing + look.eye_rx + 40
    if part == "brow":
        return 256 - spread, brow_base - 90, 256 + spread, look.eye_y + 4
    if part == "eye":
        return 256 - spread, look.eye_y - 2.2 * look.eye_ry, 256 + spread, \
            look.eye_y + 2 * look.eye_ry + 24
    if part == "nose":
        return 256 - 60, look.nose_y - look.nose_length - 10, 256 + 60, look.mouth_y + 20
    if part == "cheek":  # a puffed cheek also bulges the face outline
        return 256 - look.head_width - 20, look.eye_y, 256 + look.head_width + 20, look.chin_y
    # mouth: the jaw also moves the lower outline of the face
    return 256 - look.head_width - 10, look.cheek_y + 20, 256 + look.head_width + 10, \
        look.chin_y + look.jaw_drop + 10


def _changed_box(a: np.ndarray, b: np.ndarray):
    diff = np.abs(a.astype(int) - b.astype(int)).sum(axis=2) > 24
    if not diff.any():
        return None
    ys, xs = np.nonzero(diff)
    scale = 512 / a.shape[0]
    return xs.min() * scale, ys.min() * scale, (xs.max() + 1) * scale, (ys.max() + 1) * scale


FACE_CONTROLS = [c for c in CONTROLS if PART[c] != "head"]


@pytest.mark.parametrize("control", FACE_CONTROLS)
def test_a_control_changes_pixels_only_in_its_own_region(control):
    character = characters()["Mery"]
    renderer = Renderer(character, SIZE)
    base = renderer.still()
    values = {control: 1.0}
    if control in ("mouthClose", "tongueOut"):
        values["jawOpen"] = 0.5  # these only show in an open mouth
        base = renderer.still(pose_from({"jawOpen": 0.5}))
    if control.startswith("eyeLook"):
        values = {control: 0.6}
    box = _changed_box(base, renderer.still(pose_from(values)))
    assert box is not None, f"{control} changes nothing"
    x0, y0, x1, y1 = _region(character.look, PART[control])
    assert box[0] >= x0 and box[1] >= y0 and box[2] <= x1 and box[3] <= y1, (control, box)


def test_head_pose_moves_the_whole_head():
    renderer = Renderer(characters()["Ray"], SIZE)
    box = _changed_box(renderer.still(), renderer.still(pose_from({"headYaw": 0.9})))
    assert box is not None and box[2] - box[0] > 200


@pytest.mark.parametrize("name", list(characters()))
def test_every_character_draws_every_emotion_differently(name):
    character = characters()[name]
    renderer = Renderer(character, 64)
    neutral = renderer.still(character.rig.to_canonical(
        character.rig.from_canonical(rest_pose()[None]))[0])
    assert neutral[..., 3].min() == 255  # opaque everywhere
    for emotion in EMOTIONS:
        canonical = pose_from(EXPRESSIONS[emotion])[None]
        drawn = renderer.still(character.rig.to_canonical(
            character.rig.from_canonical(canonical))[0])
        changed = (np.abs(drawn.astype(int) - neutral.astype(int)).sum(axis=2) > 24).mean()
        assert (changed > 0.004) == (emotion != "neutral"), (emotion, changed)


def test_characters_look_different():
    stills = {name: Renderer(c, 64).still() for name, c in characters().items()}
    names = list(stills)
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            differ = (np.abs(stills[a].astype(int) - stills[b].astype(int)).sum(axis=2) > 40)
            assert differ.mean() > 0.2, (a, b)


def test_size_scales_the_same_drawing():
    character = characters()["Rose"]
    small = Renderer(character, 64).still()
    large = Renderer(character, 256).still()
    shrunk = large.reshape(64, 4, 64, 4, 4).mean(axis=(1, 3))
    assert np.abs(shrunk - small).mean() < 6


def test_poster_apex_guess_finds_the_expression_and_skips_blinks():
    from generator.render.clips import apex_guess

    track = np.tile(rest_pose(), (20, 1))
    track[12] = pose_from(EXPRESSIONS["surprise"])
    track[13] = pose_from({**EXPRESSIONS["surprise"], "eyeBlinkLeft": 1.0, "eyeBlinkRight": 1.0})
    assert apex_guess(track) == 12
