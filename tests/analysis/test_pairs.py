"""Reading a pairs export (analysis.pairs): its parts recognised, rows left out, bad cells named."""

import re

import pandas as pd
import pytest

from analysis.pairs import compared_factor, is_pairs_export, level_order, question_columns, read_pairs
from contract import PAIR_HEAD, PAIR_TRAILER
from tests.analysis.pairs_data import pairs_export


def tiny(rows, extra=()) -> pd.DataFrame:
    """A pairs export from (participant, a, b, left, sync, naturalness[, practice, check, pilot]) rows."""
    out = []
    for i, (person, a, b, left, sync, natural, *flags) in enumerate(rows):
        practice, check, pilot = [*flags, 0, 0, 0][:3]
        out.append({"study": "s", "participant": person, "group": "", "trial_index": i,
                    "is_practice": practice, "stimulus_a": f"x-{a}", "stimulus_b": f"x-{b}", "left": left,
                    "a_method": a, "b_method": b, "character": "Mery", "emotion": "joy",
                    "sync": sync, "naturalness": natural, **dict.fromkeys(extra, "fine"),
                    "rt_ms": 900, "plays_a": 1, "plays_b": 1, "started_at": "", "submitted_at": "",
                    "pilot": pilot, "bot": 0, "attention_check": check, "attention_passed": ""})
    return pd.DataFrame(out)


ROWS = [
    ("P1", "GT", "ETAD", "a", "GT", "none", 1),        # practice
    ("P1", "GT", "ETAD", "a", "GT", "ETAD"),
    ("P1", "GT", "EVP", "b", "EVP", "GT"),
    ("P1", "ETAD", "ETAD", "a", "none", "none", 0, 1),  # attention check: the same clip twice
    ("P2", "ETAD", "EVP", "b", "ETAD", ""),             # naturalness left out (optional)
    ("P2", "GT", "ETAD", "b", "none", "GT"),
    ("P3", "GT", "EVP", "a", "GT", "GT", 0, 0, 1),      # pilot participant
]


def test_a_pairs_export_is_recognised_by_its_columns():
    export = pairs_export(2)
    assert list(export.columns[:len(PAIR_HEAD)]) == list(PAIR_HEAD)
    assert list(export.columns[-len(PAIR_TRAILER):]) == list(PAIR_TRAILER)
    assert is_pairs_export(export.columns) and not is_pairs_export(["stimulus_id", "method", "sync"])
    assert compared_factor(export.columns) == "method"
    assert question_columns(export, "method", ("GT", "ETAD", "EVP")) == ["sync", "naturalness", "expression"]


def test_compared_factor_needs_exactly_one_a_b_pair():
    with pytest.raises(ValueError, match="found none"):
        compared_factor(["stimulus_a", "stimulus_b", "left", "a_method"])
    with pytest.raises(ValueError, match="found several: method, character"):
        compared_factor(["a_method", "b_method", "a_character", "b_character"])


def test_read_pairs_finds_the_parts_and_leaves_out_practice_checks_and_pilots():
    pairs = read_pairs(tiny(ROWS, extra=("comment",)))
    assert pairs.factor == "method" and pairs.levels == ("GT", "ETAD", "EVP")
    assert pairs.pairs == ("GT vs ETAD", "GT vs EVP", "ETAD vs EVP")
    assert pairs.shared == ("character", "emotion") and pairs.questions == ("sync", "naturalness")
    assert pairs.trials == 4 and pairs.rows_left_out == 3  # practice, attention check, pilot
    a = pairs.answers
    assert len(a) == 4 + 3 and set(a["participant"]) == {"P1", "P2"}  # one optional answer left out
    row = a[(a["question"] == "sync") & (a["line"] == 4)].iloc[0]  # GT vs EVP, EVP shown left, EVP chosen
    assert (row["choice"], row["chosen_level"], row["left"], row["chose_left"]) == ("b", "EVP", "b", True)
    tie = a[(a["question"] == "sync") & (a["line"] == 7)].iloc[0]
    assert tie["choice"] == "none" and pd.isna(tie["chose_left"])
    with_pilot = read_pairs(tiny(ROWS), include_pilot=True)
    assert with_pilot.trials == 5 and "P3" in set(with_pilot.answers["participant"])


def test_questions_can_be_given_and_shared_factors_end_where_they_start():
    pairs = read_pairs(tiny(ROWS), questions=["naturalness"])
    assert pairs.questions == ("naturalness",) and pairs.shared == ("character", "emotion")
    assert set(pairs.answers["question"]) == {"naturalness"}


def test_the_studys_other_questions_are_no_shared_factors():
    export = tiny(ROWS)
    export.insert(export.columns.get_loc("sync"), "quality", 5)  # a scale question before the preferences
    assert read_pairs(export).shared == ("character", "emotion", "quality")  # it cannot be told apart
    assert read_pairs(export, other_questions=["quality"]).shared == ("character", "emotion")


def test_levels_follow_the_exports_order_and_pairs_written_b_first_are_turned():
    # --against GT: b is always GT, so GT comes last; ties by the contract's order of methods.
    a, b = pd.Series(["EVP", "ETAD", "EVP"]), pd.Series(["GT", "GT", "GT"])
    assert level_order(a, b, "method") == ("ETAD", "EVP", "GT")
    assert level_order(pd.Series(["y", "x"]), pd.Series(["z", "z"]), "style") == ("y", "x", "z")
    turned = read_pairs(tiny([("P1", "GT", "ETAD", "a", "GT", "GT"), ("P1", "ETAD", "GT", "a", "GT", "ETAD"),
                              ("P1", "GT", "ETAD", "b", "ETAD", "ETAD")]))
    sync = turned.answers[turned.answers["question"] == "sync"]
    assert list(sync["pair"]) == ["GT vs ETAD"] * 3
    assert list(sync["choice"]) == ["a", "a", "b"]
    assert list(sync["left"]) == ["a", "b", "b"]  # ETAD (now b) was shown left in the second row


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (("P1", "GT", "ETAD", "a", "ETDA", "GT"),
         "line 2 (participant P1): sync must be the level of one of the two clips (a_method or b_method) "
         "or 'none'; got 'ETDA'"),
        (("P1", "GT", "ETAD", "a", "GT", "EVP"), "naturalness must be the level of one of the two clips"),
        (("P1", "GT", "GT", "a", "none", "none"), "line 2 (participant P1): b_method must be another level "
                                                  "than a_method"),
        (("P1", "GT", "ETAD", "left", "GT", "GT"), "left must be a or b; got 'left'"),
    ],
)
def test_malformed_pairs_exports_are_named(row, message):
    good = [("P2", "GT", "ETAD", "a", "GT", "GT")] * 3
    with pytest.raises(ValueError, match=re.escape(message)):
        read_pairs(tiny([row, *good]))


def test_an_export_without_preference_answers_says_so():
    export = tiny([("P1", "GT", "ETAD", "a", "yes", "no")])
    with pytest.raises(ValueError, match="no preference question found: no column after b_method"):
        read_pairs(export)
    with pytest.raises(ValueError, match="no measured trials"):
        read_pairs(tiny([("P1", "GT", "ETAD", "a", "GT", "GT", 1)]))
    with pytest.raises(ValueError, match=r"column\(s\) 'left' not found"):
        read_pairs(tiny(ROWS).drop(columns="left"))
