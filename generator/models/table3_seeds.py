"""``evaluate --table3 --seeds S ...``: Table 3 (section 5.2) over training seeds, with 95 % CIs.

For every seed ``S`` the four methods are trained when missing, with seed ``S``
(initial weights and batches; for the EVP-style baseline also its expression
database), into ``RUNS/seed-S/{etad,etad-no-softdtw,etad-no-emotion,evp}``;
they share ``RUNS/hubert``, the frozen feature extractor, pretrained once.
Each seed's table is :func:`evaluate.table3_run`'s, on the same held-out clips.
Over the seeds:

- each method's number: the mean and the 95 % Student t-interval
  ``mean +- t(0.975, n - 1) * s / sqrt(n)`` (``s`` the sample sd, ``n`` seeds);
  the spread is that of training, not of the test clips, which are fixed;
- paired differences ``Ours - X``: per seed, on the same clips, then the mean
  and t-interval of the ``n`` differences (a paired t-interval), so what the
  seeds share cancels; an interval that excludes 0 says the ordering holds for
  this dataset beyond training noise;
- the same for the scores against the audio-aligned track (``aligned``).

With one seed there is no interval (``null`` in the JSON).
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

ROWS = ("EVP", "w/o Soft-DTW", "w/o Emo Encoder", "Ours")
RPD = ("F-RPD", "M-RPD")
PROXIES = ("lip_sync_r_at_0", "recognition_accuracy")


def mean_ci95(values) -> dict:
    """{"mean", "ci95": [lo, hi] or None, "n"}: the Student t-interval of the mean."""
    from scipy import stats

    x = np.asarray(values, dtype=float)
    n, mean = len(x), float(np.mean(x))
    if n < 2:
        return {"mean": mean, "ci95": None, "n": n}
    half = float(stats.t.ppf(0.975, n - 1) * x.std(ddof=1) / np.sqrt(n))
    return {"mean": mean, "ci95": [mean - half, mean + half], "n": n}


def paired_difference(a, b) -> dict:
    """``mean_ci95`` of the per-seed differences ``a - b`` (a paired t-interval)."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.shape != b.shape:
        raise ValueError(f"paired values differ in number: {a.shape} and {b.shape}")
    return mean_ci95(a - b)


def _value(row: dict, metric: str) -> float:
    return row["lip_sync"]["r_at_0"] if metric == "lip_sync_r_at_0" else row[metric]


def _summary(rows_per_seed: list[dict], metrics) -> tuple[dict, dict]:
    """(means, intervals) of ``metrics`` over the seeds' rows."""
    stats = {m: mean_ci95([_value(r, m) for r in rows_per_seed]) for m in metrics}
    return {m: s["mean"] for m, s in stats.items()}, {m: s["ci95"] for m, s in stats.items()}


def _differences(tables: list[dict], metrics) -> dict:
    return {f"Ours - {other}": {m: paired_difference([_value(t["Ours"], m) for t in tables],
                                                     [_value(t[other], m) for t in tables])
                                for m in metrics}
            for other in ROWS if other != "Ours"}


def table3_aggregate(per_seed: dict[int, dict]) -> dict:
    """One Table 3 from ``table3_run``'s result per seed: the single-run keys hold the means
    over seeds, plus ``seeds``, ``per_seed``, ``ci95``, ``differences`` and ``aligned``."""
    seeds = sorted(per_seed)
    tables = [per_seed[s] for s in seeds]
    out: dict = {}
    ci95: dict = {}
    for row in ("GT", *ROWS):
        metrics = (RPD if row != "GT" else ()) + PROXIES
        means, intervals = _summary([t[row] for t in tables], metrics)
        out[row] = {**{m: means[m] for m in RPD if m in means},
                    "lip_sync": {"r_at_0": means["lip_sync_r_at_0"],
                                 "r_at_best": float(np.mean([t[row]["lip_sync"]["r_at_best"]
                                                             for t in tables])),
                                 "best_offset_frames": int(np.median(
                                     [t[row]["lip_sync"]["best_offset_frames"] for t in tables]))},
                    "recognition_accuracy": means["recognition_accuracy"]}
        ci95[row] = intervals
    out.update(clips=tables[0]["clips"], frames=tables[0]["frames"], seeds=seeds,
               ci95=ci95, differences=_differences(tables, RPD + PROXIES))
    if all("aligned" in t for t in tables):
        aligned_tables = [t["aligned"] for t in tables]
        out["aligned"] = {"GT": aligned_tables[0]["GT"]}
        for row in ROWS:
            means, intervals = _summary([t[row] for t in aligned_tables], RPD)
            out["aligned"][row] = {**means, "ci95": intervals}
        out["aligned"]["differences"] = _differences(aligned_tables, RPD)
    out["per_seed"] = {str(s): per_seed[s] for s in seeds}
    return out


def seed_runs(runs: Path, seed: int) -> Path:
    """The folder of one seed's trained methods."""
    return Path(runs) / f"seed-{seed}"


def table3_seeds_run(runs: Path, data: Path, seeds: list[int], *,
                     train_missing: bool = True) -> dict:
    """Train what is missing for every seed, evaluate each, aggregate (``table3_aggregate``)."""
    from generator.models.evaluate import table3_run
    from generator.models.registry import Methods

    if len(set(seeds)) != len(seeds) or any(s < 0 for s in seeds):
        raise ValueError(f"seeds must be distinct and non-negative, not {seeds}")
    began = time.perf_counter()
    per_seed = {}
    for seed in seeds:
        methods = Methods(seed_runs(runs, seed), data, train_missing=train_missing, seed=seed,
                          hubert=Path(runs) / "hubert")
        per_seed[seed] = table3_run(methods, data, seed=seed)
    out = table3_aggregate(per_seed)
    out["wall_s"] = round(time.perf_counter() - began, 1)
    return out


def _cell(mean: float, interval) -> str:
    if interval is None:
        return f"{mean:.4f}"
    return f"{mean:.4f} [{interval[0]:.4f}, {interval[1]:.4f}]"


def table3_seeds_print(results: dict) -> str:
    """Means with their 95 % intervals beside the paper's values, then the paired differences,
    the proxies and the scores against the audio-aligned track."""
    from generator.models.evaluate import PAPER_TABLE3

    n = len(results["seeds"])
    lines = [f"Table 3 over {n} seeds ({', '.join(map(str, results['seeds']))}) on "
             f"{results['clips']} held-out clips ({results['frames']} frames): mean [95 % CI]; "
             "paper in brackets"]
    for row in ROWS:
        cells = [f"{m} {_cell(results[row][m], results['ci95'][row][m])} "
                 f"({PAPER_TABLE3[row][m]:.3f})" for m in RPD]
        lines.append(f"  {row:<16} " + "   ".join(cells))
    lines += ["", "Paired differences, Ours - method (negative: Ours is closer to the GT)"]
    for name, diffs in results["differences"].items():
        lines.append(f"  {name:<27} " + "   ".join(
            f"{m} {_cell(diffs[m]['mean'], diffs[m]['ci95'])}" for m in RPD))
    lines += ["", "Proxies: lip sync r at lag 0, recognition accuracy"]
    for row in ("GT", *ROWS):
        ci, r = results["ci95"][row], results[row]
        lines.append(f"  {row:<16} r(0) {_cell(r['lip_sync']['r_at_0'], ci['lip_sync_r_at_0'])}"
                     f"   recognition {_cell(r['recognition_accuracy'], ci['recognition_accuracy'])}")
    if "aligned" in results:
        gt = results["aligned"]["GT"]
        lines += ["", f"Against the audio-aligned track (the GT itself: F-RPD {gt['F-RPD']:.4f}, "
                      f"M-RPD {gt['M-RPD']:.4f}, lip sync r(0) {gt['lip_sync']['r_at_0']:.3f})"]
        for row in ROWS:
            lines.append(f"  {row:<16} " + "   ".join(
                f"{m} {_cell(results['aligned'][row][m], results['aligned'][row]['ci95'][m])}"
                for m in RPD))
        for name, diffs in results["aligned"]["differences"].items():
            lines.append(f"  {name:<27} " + "   ".join(
                f"{m} {_cell(diffs[m]['mean'], diffs[m]['ci95'])}" for m in RPD))
    if "wall_s" in results:
        lines.append(f"\n{results['wall_s']:.0f} s in all (training what was missing included)")
    return "\n".join(lines)
