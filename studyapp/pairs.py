"""Pair trials for A/B preference studies (``build_study --design pairs --compare FACTOR``).

A pair shows two clips that differ only in the compared factor: for every
combination of the other factors, every pair of the factor's levels (or, with
``--against LEVEL``, every other level against LEVEL). Clip ``a`` has the level
that comes first in the manifest's order of the factor's levels (the order in
which its stimuli first name them); with ``--against``, ``b`` is always LEVEL
(docs/design.md, "Pairs export"). On the Task 2 set, ``--compare method`` makes
6 characters x 7 emotions x 3 method pairs = 126 pairs.

Pure functions of the manifest's items (dicts with ``factors``) or of stimuli
(anything with ``.factors``): the build checks a set with ``pair_problems`` and
every enrolment makes its participant's pairs with ``pairs_make`` from the
study's stored stimuli, so the two always agree.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from itertools import combinations

from contract import NO_PREFERENCE

#: How many missing or duplicated combinations a build lists before "... and N more".
LISTED = 12


def _factors(item) -> dict:
    return item["factors"] if isinstance(item, dict) else item.factors


def _key(factors: dict, factor: str) -> tuple:
    """The combination of the other factors a clip belongs to: every factor but ``factor``,
    so two clips pair only when all else (sentence type, group, ...) is the same."""
    return tuple(sorted((k, str(v)) for k, v in factors.items() if k != factor))


def levels_in_order(items: Sequence, factor: str) -> list:
    """The levels of ``factor`` in the order in which ``items`` first name them."""
    return list(dict.fromkeys(_factors(i)[factor] for i in items if factor in _factors(i)))


def level_pairs(levels: Sequence, against=None) -> list[tuple]:
    """(a level, b level) for each pair shown: every two levels in order, or each other
    level against ``against`` (b)."""
    if against is None:
        return list(combinations(levels, 2))
    fixed = next(level for level in levels if str(level) == str(against))
    return [(level, fixed) for level in levels if level != fixed]


def pair_problems(items: Sequence[dict], factor: str, against: str | None = None,
                  between: str | None = None) -> list[str]:
    """Every reason ``items`` (a manifest's stimuli) cannot be paired on ``factor``, as
    sentences: an unknown factor, fewer than two levels, ``against`` not a level, a level
    that would read as "no preference", the factor also splitting participants, clips
    lacking the factor, combinations that lack a level (a clip to pair with) and
    combinations with a level twice."""
    if between and between == factor:
        return [f"--compare {factor} and --between {between} name the same factor: the two "
                "clips of a pair must be shown to the same participant."]
    lacking = [str(i.get("id")) for i in items if factor not in _factors(i)]
    if len(lacking) == len(items):
        known = sorted({k for i in items for k in _factors(i)})
        return [f"--compare {factor}: no stimulus has this factor (factors: {', '.join(known)})."]
    problems = []
    if lacking:
        problems.append(f"factor {factor!r} is missing from {len(lacking)} stimuli (first: "
                        f"{', '.join(lacking[:5])}): every clip needs a level to be paired.")
    levels = levels_in_order(items, factor)
    if len(levels) < 2:
        problems.append(f"factor {factor!r} has one level ({levels[0]}): a pair needs two.")
    if against is not None and str(against) not in {str(v) for v in levels}:
        problems.append(f"--against {against}: not a level of {factor} "
                        f"(levels: {', '.join(map(str, levels))}).")
    if NO_PREFERENCE in {str(v) for v in levels}:
        problems.append(f"factor {factor!r} has a level {NO_PREFERENCE!r}, which the export "
                        "uses for 'no preference': rename that level.")
    if problems:
        return problems
    return _combination_problems(items, factor, levels)


def _combination_problems(items: Sequence[dict], factor: str, levels: list) -> list[str]:
    counts = Counter((_key(_factors(i), factor), str(_factors(i)[factor])) for i in items)
    by_key: dict[tuple, set] = {}
    for key, level in counts:
        by_key.setdefault(key, set()).add(level)
    found = []
    for (key, level), n in counts.items():
        if n > 1:
            found.append(f"{_label(key)}, {factor}={level} occurs {n} times (expected once).")
    for key, present in by_key.items():
        missing = [str(v) for v in levels if str(v) not in present]
        if missing:
            found.append(f"{_label(key)} lacks {factor}={', '.join(missing)}: no clip to pair "
                         "with the others.")
    if len(found) > LISTED:
        found = found[:LISTED] + [f"... and {len(found) - LISTED} more."]
    return found


def _label(key: tuple) -> str:
    return ", ".join(f"{k}={v}" for k, v in key) or "(no other factor)"


def pairs_make(stimuli: Sequence, factor: str, against=None) -> list[tuple]:
    """The (clip a, clip b) pairs of ``stimuli`` (a checked set, in manifest order): per
    combination of the other factors in order of appearance, each pair of levels
    (``level_pairs``)."""
    levels = levels_in_order(stimuli, factor)
    groups: dict[tuple, dict] = {}
    for s in stimuli:
        groups.setdefault(_key(_factors(s), factor), {})[str(_factors(s)[factor])] = s
    return [(clips[str(a)], clips[str(b)]) for clips in groups.values()
            for a, b in level_pairs(levels, against)]


def clips_by_side(left: str) -> dict[str, str]:
    """Which clip, "a" or "b", a pair trial shows on each side ("left", "right"), from the
    clip it shows on the left (``Trial.left``): the one mapping between what a page
    shows and sends (sides) and what is stored (clips)."""
    return {"left": left, "right": "b" if left == "a" else "a"}


def practice_pair(practice: Sequence) -> tuple:
    """The practice trial's two clips: the manifest's first two practice items, or its one
    practice clip on both sides (a generated set has one)."""
    return (practice[0], practice[1]) if len(practice) > 1 else (practice[0], practice[0])


def level_of(stimulus, factor: str):
    """A clip's level of the compared factor ("" when it has none: a practice clip)."""
    return _factors(stimulus).get(factor, "")
