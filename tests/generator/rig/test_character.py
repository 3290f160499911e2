"""Characters as data: seven specs, each rig its own mapping of the canonical rig."""

from __future__ import annotations

import json

import numpy as np
import pytest

from generator.common.errors import InputError
from generator.rig.character import character_get, character_load, characters
from generator.rig.controls import CONTROLS, INDEX, pose_from


def test_seven_characters_in_the_papers_order_with_one_primary():
    assert list(characters()) == ["Human", "Mery", "Bonnie", "Ray", "Malcolm", "Rose", "Miosha"]
    assert [c.name for c in characters().values() if c.primary] == ["Mery"]


def test_rigs_differ_between_characters():
    rigs = {name: c.rig.controls for name, c in characters().items()}
    stylized = [n for n in rigs if n not in ("Human", "Mery")]
    assert len({rigs[n] for n in stylized}) == len(stylized)
    assert "mouthSmile" in rigs["Bonnie"] and "mouthSmileLeft" not in rigs["Bonnie"]
    assert "tongueOut" not in rigs["Ray"]
    assert rigs["Human"] == CONTROLS


def test_response_curve_and_saturation():
    malcolm = character_get("Malcolm")
    track = np.stack([pose_from({"browInnerUp": v}) for v in (0.35, 0.7, 1.0)])
    values = malcolm.rig.from_canonical(track)
    column = malcolm.rig.controls.index("browInnerUp")
    assert values[1, column] == pytest.approx(1.0)  # gain 0.7: full travel at 0.7
    assert values[2, column] == pytest.approx(1.0)  # beyond: saturated
    back = malcolm.rig.to_canonical(values)
    assert back[0, INDEX["browInnerUp"]] == pytest.approx(0.35, abs=1e-4)
    assert back[2, INDEX["browInnerUp"]] == pytest.approx(0.7, abs=1e-4)  # what it can show


def test_merged_control_averages_and_drives_both_sides():
    bonnie = character_get("bonnie")
    track = pose_from({"mouthSmileLeft": 1.0, "mouthSmileRight": 0.0})[None]
    back = bonnie.rig.to_canonical(bonnie.rig.from_canonical(track))
    assert back[0, INDEX["mouthSmileLeft"]] == pytest.approx(back[0, INDEX["mouthSmileRight"]])
    assert 0.3 < back[0, INDEX["mouthSmileLeft"]] < 0.7


def test_dropped_control_stays_at_rest():
    ray = character_get("Ray")
    back = ray.rig.to_canonical(ray.rig.from_canonical(pose_from({"tongueOut": 1.0})[None]))
    assert back[0, INDEX["tongueOut"]] == 0.0


def test_unknown_character_is_a_sentence():
    with pytest.raises(InputError, match="unknown character 'Zed'.*Mery"):
        character_get("Zed")


@pytest.mark.parametrize("rig, message", [
    ({"drop": ["jawOpenn"]}, "unknown canonical control 'jawOpenn'"),
    ({"response": {"mouthSmileLeft": {"gain": 0}}}, "must be positive"),
    ({"drop": ["jawOpen"], "response": {"jawOpen": {"gamma": 2}}}, "does not have"),
])
def test_bad_rig_spec_names_the_problem(tmp_path, rig, message):
    path = tmp_path / "x.json"
    path.write_text(json.dumps({"name": "X", "rig": rig}))
    with pytest.raises(InputError, match=message):
        character_load(path)


def test_bad_look_key_is_named(tmp_path):
    path = tmp_path / "x.json"
    path.write_text(json.dumps({"name": "X", "look": {"eye_colour": "#000000"}}))
    with pytest.raises(InputError, match="eye_colour"):
        character_load(path)
