"""Trial order and group choice are pure functions of the recorded seed."""

from collections import Counter

from studyapp.ordering import group_choose, seed_new, trial_order


def test_order_is_a_permutation_reproducible_from_the_seed():
    items = list(range(126))
    first = trial_order(items, 12345)
    assert sorted(first) == items
    assert first != items
    assert trial_order(items, 12345) == first
    assert trial_order(items, 12346) != first


def test_orders_are_spread_over_positions():
    # Over many seeds each item appears at position 0 about equally often.
    counts = Counter(trial_order(range(5), seed)[0] for seed in range(5000))
    assert set(counts) == set(range(5))
    assert all(800 < n < 1200 for n in counts.values())


def test_group_choose_fills_the_emptiest_group():
    assert group_choose({"1": 3, "2": 1, "3": 2, "4": 2}, seed=7) == "2"


def test_group_choose_breaks_ties_by_seed_among_the_emptiest_only():
    picks = {group_choose({"1": 0, "2": 0, "3": 1}, seed=s) for s in range(50)}
    assert picks == {"1", "2"}
    assert group_choose({"1": 0, "2": 0}, seed=99) == group_choose({"1": 0, "2": 0}, seed=99)


def test_seeds_fit_a_signed_64_bit_column():
    assert all(0 <= seed_new() < 2**63 for _ in range(100))
