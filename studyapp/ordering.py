"""Trial order and group assignment: pure functions of a recorded seed.

As in oTree, randomisation happens once, when a participant is created, from
a seed stored with the participant; the order is then stored, never
recomputed (paper 5.1.3: clips in random order against fatigue and carry-over).
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Sequence

from contract import NO_PREFERENCE


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
    return _checks_insert(
        order, n_checks, random.Random(seed ^ 0xA77E),
        lambda rng: {"response_emotion": rng.choice(list(labels)), "intensity": rng.randint(1, 7)},
        lambda rng: rng.choice(list(order)))


def pair_checks_insert(order: Sequence, n_checks: int, seed: int,
                       clips: Sequence) -> list[tuple[object, dict | None]]:
    """Interleave ``n_checks`` catch pairs at random positions into ``order`` (pairs).

    A catch pair shows one random clip of ``clips`` (the participant's own) on both
    sides, as (clip, clip, "a"), with the check ``{"preference": "none"}``: whoever
    watches both sees no difference and answers "no preference" to every preference
    question (docs/design.md, "Pairs export"). No instruction marks it.
    """
    return _checks_insert(order, n_checks, random.Random(seed ^ 0xA77E),
                          lambda rng: {"preference": NO_PREFERENCE},
                          lambda rng: (clip := rng.choice(list(clips)), clip, "a"))


def _checks_insert(order, n_checks, rng, check_draw, item_draw):
    sequence: list[tuple[object, dict | None]] = [(item, None) for item in order]
    if not order:
        return sequence
    for _ in range(n_checks):
        check = check_draw(rng)
        sequence.insert(rng.randint(1, len(sequence)), (item_draw(rng), check))
    return sequence


def pair_sides(n_pairs: int, seed: int, parity: int) -> list[str]:
    """Which clip of each of ``n_pairs`` pairs is shown left (first on a phone): "a" or "b".

    Counterbalanced across participants and random within one: participants are
    taken two by two in the order they enrol (per group; bots and pilots among
    themselves), both of a couple use the seed of the first (``seed``), and the
    second (``parity`` 1) gets every side the other way round: side_j = bit_j XOR
    parity. So each pair is shown a-left to exactly half of every two participants,
    while within a participant the sides are fair coin flips, different per couple.
    """
    rng = random.Random(seed ^ 0x51DE)
    return ["b" if rng.getrandbits(1) ^ (parity & 1) else "a" for _ in range(n_pairs)]
