"""``demo``: the small real set that ``make demo`` serves.

GT clips of the seven characters x seven emotions of one sentence (common,
group 1): the Task 1 pipeline of ``generator.sets.task1``, restricted.
"""

from __future__ import annotations

from pathlib import Path

from generator.sets.task1 import Selection, gt_set_write

DEMO = Selection(sentence_types=("common",), groups=(1,))


def demo_write(out: Path, *, dataset: Path, size: int, workers: int) -> Path:
    """Build the needed dataset items, render the demo's clips; the manifest's path."""
    return gt_set_write(
        Path(out), name="demo", selection=DEMO, dataset=Path(dataset), size=size, workers=workers,
        description="Demo: GT clips of 7 characters x 7 emotions, one common sentence")
