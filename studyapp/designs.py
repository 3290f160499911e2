"""Study designs as data (paper 5.1.3), and the check that a stimulus set fits one.

A design names the factor levels every participant sees (within) and,
optionally, the factor that splits participants into groups (between). Task 1
shows each participant the 98 clips of one sentence group; Task 2 shows all
126 clips to everyone; ``custom`` takes whatever the manifest holds; ``pairs``
shows the manifest's clips two by two, differing in one compared factor
(pairs.py: ``build_study --design pairs --compare FACTOR``).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from itertools import product

from contract import CHARACTERS, EMOTIONS, METHODS

STYLIZED = CHARACTERS[1:]


@dataclass(frozen=True)
class Design:
    """Factor levels a stimulus set must cover exactly once per combination.

    ``within`` maps factor -> levels (empty for ``custom``: no fixed levels);
    ``between`` is the factor whose level picks a participant's group.
    """

    name: str
    description: str
    within: dict[str, tuple] = field(default_factory=dict)
    between: str | None = None
    between_levels: tuple = ()


DESIGNS: dict[str, Design] = {
    "task1": Design(
        name="task1",
        description="7 characters x 7 emotions x 2 sentence types; sentence group between",
        within={
            "character": ("Human",) + STYLIZED,
            "emotion": EMOTIONS,
            "sentence_type": ("common", "emotion"),
        },
        between="sentence_group",
        between_levels=(1, 2, 3, 4),
    ),
    "task2": Design(
        name="task2",
        description="6 characters x 7 emotions x 3 methods, all within",
        within={"character": STYLIZED, "emotion": EMOTIONS, "method": METHODS},
    ),
    "custom": Design(name="custom", description="every stimulus of the manifest"),
    "pairs": Design(name="pairs", description="every pair of levels of the compared factor "
                                              "(--compare), for every combination of the others"),
}


def design_get(name: str, between: str | None = None) -> Design:
    """The named design; ``between`` may only be given for those without fixed levels
    (``custom``, ``pairs``)."""
    if name not in DESIGNS:
        raise ValueError(f"unknown design {name!r}: choose one of {', '.join(DESIGNS)}.")
    design = DESIGNS[name]
    if between is not None and design.within:
        if between != design.between:
            raise ValueError(
                f"design {name} fixes its between factor ({design.between or 'none'}); "
                "--between is only for the custom and pairs designs."
            )
        return design
    if between is not None:
        return Design(name=name, description=design.description, between=between)
    return design


def design_problems(design: Design, stimuli: list[dict]) -> list[str]:
    """Every way ``stimuli`` (manifest items) fail to fit ``design``, as sentences.

    Checks that each factor combination of the design occurs exactly once in
    each between level, and that custom designs' between factor is present.
    """
    problems: list[str] = []
    if design.between:
        missing = [s["id"] for s in stimuli if design.between not in s.get("factors", {})]
        if missing:
            problems.append(
                f"between factor {design.between!r} is missing from {len(missing)} stimuli "
                f"(first: {', '.join(missing[:5])})."
            )
    if not design.within:
        return problems
    factors = list(design.within)
    absent = False
    for factor in factors + ([design.between] if design.between and design.within else []):
        lacking = [s["id"] for s in stimuli if factor not in s.get("factors", {})]
        if lacking and factor != design.between:
            problems.append(f"factor {factor!r} of the {design.name} design is missing from "
                            f"{len(lacking)} stimuli (first: {', '.join(lacking[:5])}).")
        absent = absent or bool(lacking)
    if absent:
        return problems  # every combination would be reported: the line above says why
    between_levels = design.between_levels or (None,)
    expected = {
        combo + ((level,) if design.between else ())
        for combo in product(*(design.within[f] for f in factors))
        for level in between_levels
    }
    keys = factors + ([design.between] if design.between else [])
    seen = Counter(
        tuple(_normal(s.get("factors", {}).get(k)) for k in keys) for s in stimuli
    )
    for combo, count in sorted(seen.items(), key=str):
        label = _combo_label(keys, combo)
        if combo not in expected:
            problems.append(f"stimulus with {label} is not part of the {design.name} design.")
        elif count > 1:
            problems.append(f"combination {label} occurs {count} times (expected once).")
    for combo in sorted(expected - set(seen), key=str):
        problems.append(f"combination {_combo_label(keys, combo)} is missing.")
    return problems


def _normal(value):
    """Group levels may arrive as "1" or 1; compare them as integers when they are."""
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return value


def _combo_label(keys: list[str], combo: tuple) -> str:
    return ", ".join(f"{k}={v}" for k, v in zip(keys, combo, strict=True))
