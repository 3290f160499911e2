"""The Task 1 design (paper 5.1.3) as the generator enumerates it."""

from __future__ import annotations

import pytest

from generator.common.errors import InputError
from generator.sets.task1 import Selection, stimulus_id


def test_full_task1_is_392_distinct_clips():
    chosen, picked = Selection().resolved()
    assert [c.name for c in chosen] == ["Human", "Mery", "Bonnie", "Ray", "Malcolm", "Rose",
                                        "Miosha"]
    cells = {(c.name, u.emotion, u.sentence_type, u.group) for c in chosen for u in picked}
    assert len(cells) == 7 * 7 * 2 * 4 == 392
    ids = {stimulus_id(c, u) for c in chosen for u in picked}
    assert len(ids) == 392


def test_each_group_holds_every_character_emotion_and_type_once():
    chosen, picked = Selection().resolved()
    for group in (1, 2, 3, 4):
        cells = [(c.name, u.emotion, u.sentence_type) for c in chosen for u in picked
                 if u.group == group]
        assert len(cells) == len(set(cells)) == 7 * 7 * 2


@pytest.mark.parametrize("selection, message", [
    (Selection(characters=("Nobody",)), "unknown character"),
    (Selection(emotions=("glee",)), "unknown emotion"),
    (Selection(sentence_types=("shouted",)), "unknown sentence type"),
    (Selection(groups=(5,)), "not one of 1-4"),
])
def test_bad_selection_is_named(selection, message):
    with pytest.raises(InputError, match=message):
        selection.resolved()
