"""Trial order, group choice, catch trials and pair sides are pure functions of the
recorded seed."""

from collections import Counter

from studyapp.ordering import group_choose, pair_sides, seed_new, trial_order


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


def test_attention_checks_are_inserted_reproducibly_and_ask_for_a_valid_answer():
    from studyapp.ordering import attention_checks_insert

    order = list(range(20))
    mixed = attention_checks_insert(order, 3, seed=5, labels=("joy", "fear"))
    assert len(mixed) == 23
    assert [item for item, check in mixed if check is None] == order
    checks = [(item, check) for item, check in mixed if check is not None]
    assert len(checks) == 3
    assert all(item in order and check["response_emotion"] in ("joy", "fear")
               and 1 <= check["intensity"] <= 7 for item, check in checks)
    assert attention_checks_insert(order, 3, seed=5, labels=("joy", "fear")) == mixed
    assert attention_checks_insert(order, 0, seed=5, labels=("joy",)) == [(i, None) for i in order]


def test_a_couple_gets_opposite_sides_and_each_participant_about_half():
    for seed in range(200):
        first, second = pair_sides(126, seed, 0), pair_sides(126, seed, 1)
        assert all(x != y for x, y in zip(first, second, strict=True))
    shares = [pair_sides(126, seed, 0).count("a") / 126 for seed in range(200)]
    assert all(0.33 < share < 0.67 for share in shares)       # about half within one
    assert 0.48 < sum(shares) / len(shares) < 0.52
    assert pair_sides(126, 7, 0) == pair_sides(126, 7, 0) != pair_sides(126, 8, 0)


def test_catch_pairs_show_one_of_the_participants_clips_twice():
    from studyapp.ordering import pair_checks_insert

    order = [(f"a{i}", f"b{i}", "a") for i in range(10)]
    clips = [f"a{i}" for i in range(10)] + [f"b{i}" for i in range(10)]
    mixed = pair_checks_insert(order, 3, seed=9, clips=clips)
    assert [item for item, check in mixed if check is None] == order
    checks = [(item, check) for item, check in mixed if check is not None]
    assert len(checks) == 3 and mixed[0][1] is None
    assert all(a == b and a in clips and check == {"preference": "none"}
               for (a, b, _), check in checks)
    assert pair_checks_insert(order, 3, seed=9, clips=clips) == mixed
