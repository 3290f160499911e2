"""Trial order and group assignment: pure functions of a recorded seed.

As in oTree, randomisation happens once, when a participant is created, from
a seed stored with the participant; the order is then stored, never
recomputed (paper 5.1.3: clips in random order against fatigue and carry-over).
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Sequence


def seed_new() -> int:
    """A fresh 63-bit seed (fits a signed 64-bit database column)."""
    return secrets.randbits(63)


def trial_order(items: Sequence, seed: int) -> list:
    """A random permutation of ``items`` determined by ``seed`` alone."""
    order = list(items)
    random.Random(seed).shuffle(order)
    return order


def group_choose(counts: dict, seed: int):
    """The group with the fewest participants; ties broken at random by ``seed``.

    ``counts`` maps each group level to its current number of participants.
    Filling the emptiest group keeps the between-subject cells in balance.
    """
    if not counts:
        raise ValueError("no groups to choose from.")
    fewest = min(counts.values())
    candidates = sorted((level for level, n in counts.items() if n == fewest), key=str)
    return random.Random(seed ^ 0x5EED).choice(candidates)


def attention_checks_insert(order: Sequence, n_checks: int, seed: int,
                            labels: Sequence[str]) -> list[tuple[object, dict | None]]:
    """Interleave ``n_checks`` catch trials at random positions into ``order``.

    Returns (item, check) pairs: ``check`` is None for an ordinary trial, else
    the answer the page will ask for ({"response_emotion", "intensity"}). A
    catch trial reuses a random clip of the participant's own set, so it looks
    like any other trial until the instruction is read.
    """
    rng = random.Random(seed ^ 0xA77E)
    sequence: list[tuple[object, dict | None]] = [(item, None) for item in order]
    if not order:
        return sequence
    for _ in range(n_checks):
        check = {"response_emotion": rng.choice(list(labels)), "intensity": rng.randint(1, 7)}
        sequence.insert(rng.randint(1, len(sequence)), (rng.choice(list(order)), check))
    return sequence
