"""Table 3 over seeds: the interval arithmetic against hand values, and the command end to end
with tiny models (two seeds, seconds)."""

from __future__ import annotations

import json
from functools import partial

import pytest

from generator.models.table3_seeds import (
    ROWS,
    mean_ci95,
    paired_difference,
    table3_aggregate,
)

# Hand values: t(0.975, 4) = 2.776445, t(0.975, 2) = 4.302653, t(0.975, 1) = 12.706205
# (scipy.stats.t.ppf; the same as R's qt(0.975, df)).


def test_mean_ci95_is_the_student_t_interval():
    ci = mean_ci95([1, 2, 3, 4, 5])  # mean 3, sd 1.581139, se 0.707107
    assert ci["mean"] == 3 and ci["n"] == 5
    assert ci["ci95"] == pytest.approx([3 - 1.963243, 3 + 1.963243], abs=1e-6)
    two = mean_ci95([0.06, 0.08])  # mean 0.07, sd 0.0141421, se 0.01
    assert two["ci95"] == pytest.approx([0.07 - 0.1270621, 0.07 + 0.1270621], abs=1e-6)
    assert mean_ci95([0.5])["ci95"] is None


def test_paired_difference_is_the_interval_of_the_differences():
    d = paired_difference([1, 2, 3], [2, 2, 5])  # differences -1, 0, -2: sd 1, se 0.577350
    assert d["mean"] == -1
    assert d["ci95"] == pytest.approx([-1 - 2.484138, -1 + 2.484138], abs=1e-6)
    # Pairing removes what both share: a seed effect common to both rows leaves no spread.
    shared = paired_difference([0.10, 0.20, 0.30], [0.12, 0.22, 0.32])
    assert shared["mean"] == pytest.approx(-0.02) and shared["ci95"][1] - shared["ci95"][0] < 1e-9
    with pytest.raises(ValueError, match="differ in number"):
        paired_difference([1, 2], [1])


def _table(ours: float, seed_effect: float) -> dict:
    row = lambda f: {"F-RPD": f, "M-RPD": f / 2, "recognition_accuracy": 1.0,  # noqa: E731
                     "lip_sync": {"r_at_0": 0.5, "r_at_best": 0.6, "best_offset_frames": 1}}
    table = {name: row(ours + k * 0.01 + seed_effect) for k, name in enumerate(reversed(ROWS))}
    table["GT"] = {"recognition_accuracy": 1.0,
                   "lip_sync": {"r_at_0": 0.4, "r_at_best": 0.5, "best_offset_frames": 0}}
    table.update(clips=2, frames=80,
                 aligned={"GT": {"F-RPD": 0.02, "M-RPD": 0.03, "lip_sync": {"r_at_0": 0.5}},
                          **{name: {"F-RPD": 0.05, "M-RPD": 0.05 + seed_effect} for name in ROWS}})
    return table


def test_aggregate_keeps_the_single_run_keys_and_adds_the_intervals():
    out = table3_aggregate({0: _table(0.05, 0.0), 1: _table(0.05, 0.02)})
    assert out["seeds"] == [0, 1] and set(out["per_seed"]) == {"0", "1"}
    assert out["Ours"]["F-RPD"] == pytest.approx(0.06)  # mean of 0.05 and 0.07
    assert out["Ours"]["M-RPD"] == pytest.approx(0.03)
    assert out["ci95"]["Ours"]["F-RPD"] == pytest.approx([0.06 - 0.1270621, 0.06 + 0.1270621])
    # Ours is 0.01 / 0.02 / 0.03 below w/o Emo / w/o Soft-DTW / EVP in every seed: the paired
    # intervals have no width, though each row's own interval is wide.
    diff = out["differences"]["Ours - w/o Emo Encoder"]["F-RPD"]
    assert diff["mean"] == pytest.approx(-0.01) and diff["ci95"] == pytest.approx([-0.01, -0.01])
    assert out["differences"]["Ours - w/o Soft-DTW"]["F-RPD"]["mean"] == pytest.approx(-0.02)
    assert out["differences"]["Ours - EVP"]["F-RPD"]["mean"] == pytest.approx(-0.03)
    assert out["aligned"]["Ours"]["M-RPD"] == pytest.approx(0.06)
    assert out["aligned"]["differences"]["Ours - EVP"]["M-RPD"]["mean"] == pytest.approx(0.0)
    assert out["clips"] == 2 and out["GT"]["lip_sync"]["r_at_0"] == pytest.approx(0.4)


def test_evaluate_table3_over_two_seeds_end_to_end(tiny_dataset, tiny_defaults, tmp_path,
                                                   monkeypatch, capsys):
    from generator.cli.main import main
    from generator.models import evp

    monkeypatch.setattr(evp, "EVPConfig", partial(evp.EVPConfig, steps=3, database_size=500))
    runs = tmp_path / "runs"
    args = ["evaluate", "--table3", "--seeds", "0", "1", "--data", str(tiny_dataset),
            "--runs", str(runs)]
    assert main(args) == 0
    printed = capsys.readouterr().out
    assert "Paired differences" in printed and "audio-aligned" in printed
    out = json.loads((runs / "table3.json").read_text())
    assert {*ROWS, "GT", "clips", "frames", "seeds", "ci95", "aligned", "differences"} <= set(out)
    assert out["seeds"] == [0, 1]
    for seed in (0, 1):
        for method in ("etad", "etad-no-softdtw", "etad-no-emotion", "evp"):
            assert any((runs / f"seed-{seed}" / method).glob("*.pt")), (seed, method)
    assert (runs / "hubert" / "config.json").is_file()  # one HuBERT for every seed
    seed_rows = [out["per_seed"][s]["Ours"]["F-RPD"] for s in ("0", "1")]
    assert seed_rows[0] != seed_rows[1]  # the seeds trained different models
    lo, hi = out["ci95"]["Ours"]["F-RPD"]
    assert lo <= out["Ours"]["F-RPD"] <= hi
    assert set(out["aligned"]) == {"GT", *ROWS, "differences"}
    # A second run trains nothing and gives the same table.
    assert main(args) == 0
    again = json.loads((runs / "table3.json").read_text())
    assert again["per_seed"] == out["per_seed"]
