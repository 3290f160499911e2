"""Design construction and the check that a stimulus set fits (paper 5.1.3)."""

import pytest

from studyapp.designs import DESIGNS, design_get, design_problems
from tests.media import design_factor_rows


def items(rows):
    return [{"id": f"s{i}", "factors": row} for i, row in enumerate(rows)]


def test_task_sizes_match_the_paper():
    # Task 1: 7 x 7 x 2 = 98 per participant, 4 groups; Task 2: 6 x 7 x 3 = 126.
    task1 = design_factor_rows("task1")
    assert len(task1) == 392
    assert sum(1 for r in task1 if r["sentence_group"] == 3) == 98
    assert len(design_factor_rows("task2")) == 126
    assert DESIGNS["task1"].between == "sentence_group"
    assert DESIGNS["task2"].between is None


@pytest.mark.parametrize("design", ["task1", "task2"])
def test_complete_sets_have_no_problems(design):
    assert design_problems(DESIGNS[design], items(design_factor_rows(design))) == []


def test_missing_duplicated_and_foreign_combinations_are_each_named():
    rows = design_factor_rows("task2")
    dropped = rows.pop(5)
    rows.append(dict(rows[0]))
    rows.append({"character": "Human", "emotion": "joy", "method": "GT"})
    problems = design_problems(DESIGNS["task2"], items(rows))
    assert len(problems) == 3
    text = "\n".join(problems)
    assert f"character={dropped['character']}, emotion={dropped['emotion']}" in text
    assert "occurs 2 times" in text
    assert "character=Human" in text and "not part of the task2 design" in text


def test_string_group_levels_count_as_numbers():
    rows = [{**r, "sentence_group": str(r["sentence_group"])} for r in design_factor_rows("task1")]
    assert design_problems(DESIGNS["task1"], items(rows)) == []


def test_missing_factor_is_one_sentence_not_hundreds():
    rows = [{"character": r["character"], "emotion": r["emotion"]}
            for r in design_factor_rows("task2")]
    problems = design_problems(DESIGNS["task2"], items(rows))
    assert problems == [problems[0]] and "'method'" in problems[0] and "126 stimuli" in problems[0]


def test_custom_between_factor_must_be_present():
    design = design_get("custom", "block")
    problems = design_problems(design, items([{"emotion": "joy", "block": 1}, {"emotion": "fear"}]))
    assert len(problems) == 1 and "'block'" in problems[0]


def test_design_get_refuses_unknown_names_and_between_for_fixed_designs():
    with pytest.raises(ValueError, match="unknown design"):
        design_get("task3")
    with pytest.raises(ValueError, match="only for the custom and pairs designs"):
        design_get("task2", "method")
    assert design_get("task1", "sentence_group") is DESIGNS["task1"]
