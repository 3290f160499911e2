"""The one checkpoint helper: atomic writes, weights-only loads, one-line errors."""

from __future__ import annotations

import pytest
import torch

from generator.common.errors import InputError
from generator.models.checkpoint import FORMAT, checkpoint_load, checkpoint_resume, checkpoint_save


class Payload:
    """An arbitrary object: what a weights-only load must refuse to build."""


def test_round_trip_and_nothing_left_beside_it(tmp_path):
    path = checkpoint_save(tmp_path / "runs" / "m.pt", "evp",
                           {"config": {"hidden": 8}, "model": {"w": torch.ones(2)}, "loss": 0.5})
    state = checkpoint_load(path, "evp", retrain="train evp")
    assert state["config"] == {"hidden": 8} and torch.equal(state["model"]["w"], torch.ones(2))
    assert (state["kind"], state["format"]) == ("evp", FORMAT)
    assert [p.name for p in path.parent.iterdir()] == ["m.pt"]


def test_a_failed_write_keeps_the_old_file(tmp_path):
    path = checkpoint_save(tmp_path / "m.pt", "adapt", {"n": 1})
    with pytest.raises(Exception):  # noqa: B017 - whatever torch.save raises for a lambda
        checkpoint_save(path, "adapt", {"n": lambda: 2})
    assert checkpoint_load(path, "adapt", retrain="x")["n"] == 1
    assert [p.name for p in tmp_path.iterdir()] == ["m.pt"]


@pytest.mark.parametrize("content, message", [
    (b"", "not a readable checkpoint"),
    (b"PK\x03\x04 half a zip", "not a readable checkpoint"),
    ("objects", "not a readable checkpoint"),
    ("no kind", r"not a 'etad' checkpoint \(written by an earlier version or another program\)"),
    ("other kind", "a 'evp' checkpoint, not 'etad'"),
    ("other format", "in format 0, written by another version"),
])
def test_foreign_files_are_one_line_errors(tmp_path, content, message):
    path = tmp_path / "etad.pt"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content == "objects":
        torch.save({"kind": "etad", "format": FORMAT, "x": Payload()}, path)
    elif content == "no kind":
        torch.save({"config": {}, "model": {}}, path)
    elif content == "other kind":
        checkpoint_save(path, "evp", {})
    else:
        torch.save({"kind": "etad", "format": 0}, path)
    with pytest.raises(InputError, match=message) as err:
        checkpoint_load(path, "etad", retrain="python -m generator train etad")
    assert str(err.value).startswith(str(path)) and "\n" not in str(err.value)
    assert str(err.value).endswith("`python -m generator train etad`") or "readable" in str(err.value)


def test_a_training_state_of_another_version_is_started_again(tmp_path, capsys):
    path = tmp_path / "checkpoint.pt"
    assert checkpoint_resume(path, "etad training") is None
    torch.save({"config": {}, "step": 7}, path)  # the earlier format
    assert checkpoint_resume(path, "etad training") is None
    assert "starting again" in capsys.readouterr().out
    checkpoint_save(path, "etad training", {"step": 7})
    assert checkpoint_resume(path, "etad training")["step"] == 7
