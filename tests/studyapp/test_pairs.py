"""Pairs studies (issue 16): which pairs are built, every refusal at build, sides
counterbalanced across participants and random within one, and the side stored."""

import json
from collections import Counter

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from studyapp.models import Participant, Study
from studyapp.pairs import level_pairs, levels_in_order, pair_problems, pairs_make
from studyapp.selectors import pair_count, trials_planned
from studyapp.services import participant_advance, participant_enroll


def build(manifest, slug="p", design="pairs", **options):
    call_command("build_study", str(manifest), design=design, slug=slug, **options)
    return Study.objects.get(slug=slug)


def item(n, **factors):
    return {"id": f"s{n}", "factors": factors}


# --- pure pair making -----------------------------------------------------------------

def test_levels_keep_the_manifests_order_and_pairs_follow_it():
    items = [item(1, c="x", m="GT"), item(2, c="x", m="ETAD"), item(3, c="x", m="EVP"),
             item(4, c="y", m="EVP"), item(5, c="y", m="GT"), item(6, c="y", m="ETAD")]
    assert levels_in_order(items, "m") == ["GT", "ETAD", "EVP"]
    assert level_pairs(["GT", "ETAD", "EVP"]) == [("GT", "ETAD"), ("GT", "EVP"), ("ETAD", "EVP")]
    assert level_pairs(["GT", "ETAD", "EVP"], "GT") == [("ETAD", "GT"), ("EVP", "GT")]
    made = [(a["id"], b["id"]) for a, b in pairs_make(items, "m")]
    assert made == [("s1", "s2"), ("s1", "s3"), ("s2", "s3"), ("s5", "s6"), ("s5", "s4"),
                    ("s6", "s4")]
    assert [(a["id"], b["id"]) for a, b in pairs_make(items, "m", "EVP")] == [
        ("s1", "s3"), ("s2", "s3"), ("s5", "s4"), ("s6", "s4")]


def test_clips_pair_only_when_every_other_factor_is_the_same():
    items = [item(1, c="x", m="GT", g=1), item(2, c="x", m="ETAD", g=2)]
    problems = pair_problems(items, "m")
    assert len(problems) == 2 and all("lacks m=" in p for p in problems)


@pytest.mark.parametrize("factor, against, between, expected", [
    ("mode", None, None, "no stimulus has this factor (factors: c, m)"),
    ("c", None, None, "factor 'c' has one level (x): a pair needs two"),
    ("m", "GTT", None, "--against GTT: not a level of m (levels: GT, ETAD)"),
    ("m", None, "m", "name the same factor"),
])
def test_pair_problems_name_what_is_wrong(factor, against, between, expected):
    items = [item(1, c="x", m="GT"), item(2, c="x", m="ETAD")]
    problems = pair_problems(items, factor, against, between)
    assert len(problems) == 1 and expected in problems[0], problems


def test_a_level_called_none_is_refused():
    items = [item(1, c="x", m="none"), item(2, c="x", m="ETAD")]
    assert "uses for 'no preference'" in pair_problems(items, "m")[0]


# --- building ------------------------------------------------------------------------

@pytest.mark.django_db
def test_the_task2_set_makes_126_pairs_and_every_pair_differs_in_method_only(make_set, capsys):
    study = build(make_set("t2", design="task2"), slug="t2", compare="method")
    assert "126 stimuli, 126 pairs of method" in capsys.readouterr().out
    assert (study.design, study.compare_factor, study.compare_against) == ("pairs", "method", "")
    assert [q["id"] for q in study.questions] == ["lip_sync", "naturalness", "expression"]
    participant = participant_enroll(study=study)
    trials = trials_planned(participant)
    assert len(trials) == 127 and trials[0].is_practice
    measured = trials[1:]
    methods = Counter((t.stimulus.factors["method"], t.stimulus_b.factors["method"])
                      for t in measured)
    assert methods == {("GT", "ETAD"): 42, ("GT", "EVP"): 42, ("ETAD", "EVP"): 42}
    for t in measured:
        a, b = dict(t.stimulus.factors), dict(t.stimulus_b.factors)
        a.pop("method"), b.pop("method")
        assert a == b and t.left in ("a", "b")
    assert len({(t.stimulus_id, t.stimulus_b_id) for t in measured}) == 126


@pytest.mark.django_db
def test_against_shows_each_level_against_one(make_set):
    study = build(make_set("t2", design="task2"), slug="t2g", compare="method", against="GT")
    assert pair_count(study) == 84
    participant = participant_enroll(study=study)
    measured = [t for t in trials_planned(participant) if not t.is_practice]
    assert {t.stimulus_b.factors["method"] for t in measured} == {"GT"}


@pytest.mark.django_db
def test_the_practice_pair_shows_the_practice_clip_on_both_sides(pair_study):
    practice = participant_enroll(study=pair_study).trials.get(index=0)
    assert practice.is_practice and practice.stimulus_id == practice.stimulus_b_id
    assert practice.stimulus.is_practice and practice.left in ("a", "b")


@pytest.mark.django_db
def test_between_splits_participants_and_pairs_stay_within_a_group(make_set, pair_rows):
    study = build(make_set("between", pair_rows), slug="pb", compare="method",
                  between="character")
    first, second = participant_enroll(study=study), participant_enroll(study=study)
    assert {first.group, second.group} == {"Mery", "Ray"}
    for participant in (first, second):
        measured = [t for t in trials_planned(participant) if not t.is_practice]
        assert len(measured) == 6
        assert {t.stimulus.group for t in measured} == {t.stimulus_b.group for t in measured} \
            == {participant.group}


def _broken(make_set, pair_rows, change):
    manifest = make_set("broken", pair_rows)
    data = json.loads(manifest.read_text())
    change(data["stimuli"])
    manifest.write_text(json.dumps(data))
    return manifest


@pytest.mark.django_db
def test_every_missing_and_duplicated_clip_is_named_at_once(make_set, pair_rows):
    def change(stimuli):
        stimuli.pop(2)                                      # Mery anger EVP
        stimuli[3]["factors"]["method"] = "GT"              # Mery joy: GT twice, no ETAD
    with pytest.raises(CommandError) as failure:
        build(_broken(make_set, pair_rows, change), compare="method")
    message = str(failure.value)
    assert "3 problem(s)" in message and "Traceback" not in message
    assert "character=Mery, emotion=anger lacks method=EVP" in message
    assert "character=Mery, emotion=joy, method=GT occurs 2 times" in message
    assert "character=Mery, emotion=joy lacks method=ETAD" in message
    assert not Study.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("options, expected", [
    ({"compare": "methd"}, "--compare methd: no stimulus has this factor"),
    ({"compare": "method", "against": "XX"}, "--against XX: not a level of method"),
    ({"compare": "method", "between": "method"}, "name the same factor"),
    ({}, "--design pairs needs --compare FACTOR"),
    ({"design": "custom", "compare": "method"}, "--compare and --against are for --design pairs"),
    ({"design": "custom", "against": "GT"}, "--compare and --against are for --design pairs"),
])
def test_build_refusals_are_one_clear_message(make_set, pair_rows, options, expected):
    with pytest.raises(CommandError, match=expected):
        build(make_set("set", pair_rows), **options)
    assert not Study.objects.exists()


@pytest.mark.django_db
def test_one_level_only_is_refused(make_set):
    rows = [{"character": c, "method": "GT"} for c in ("Mery", "Ray")]
    with pytest.raises(CommandError, match="factor 'method' has one level"):
        build(make_set("one", rows), compare="method")


PREFERENCE = '''
[[question]]
id = "better"
kind = "preference"
prompt = "Which clip do you prefer?"
none = false
'''


@pytest.mark.django_db
def test_a_preference_question_needs_a_pairs_study(make_set, pair_rows, tmp_path):
    questions = tmp_path / "q.toml"
    questions.write_text(PREFERENCE)
    with pytest.raises(CommandError, match="better ask for a preference between two clips"):
        build(make_set("single", pair_rows), design="custom", questions=questions)
    study = build(make_set("own", pair_rows), compare="method", questions=questions)
    assert study.questions[0]["kind"] == "preference" and study.questions[0]["none"] is False


@pytest.mark.django_db
def test_attention_checks_need_no_preference_to_be_allowed(make_set, pair_rows, tmp_path):
    questions = tmp_path / "q.toml"
    questions.write_text(PREFERENCE)
    study = build(make_set("own", pair_rows), compare="method", questions=questions)
    study.attention_checks = 2
    with pytest.raises(ValidationError, match="expect \"no preference\""):
        study.clean()
    default = build(make_set("default", pair_rows), slug="d", compare="method")
    default.attention_checks = 2
    default.clean()                                          # the default set allows it
    default.save()
    participant = participant_enroll(study=default)
    checks = [t for t in trials_planned(participant) if t.check_answer is not None]
    assert len(checks) == 2
    assert all(t.stimulus_id == t.stimulus_b_id and t.check_answer == {"preference": "none"}
               for t in checks)
    assert len(trials_planned(participant)) == 1 + 12 + 2


@pytest.mark.django_db
def test_a_rebuild_with_another_comparison_is_refused_once_someone_enrolled(pair_study, make_set,
                                                                             pair_rows):
    manifest = make_set("pairs", pair_rows)
    build(manifest, slug="pairs", compare="method")          # the same: nothing changes
    participant_enroll(study=pair_study)
    with pytest.raises(CommandError, match="already has 1 participant"):
        build(manifest, slug="pairs", compare="method", against="GT")


# --- sides ---------------------------------------------------------------------------

def _left_counts(participants) -> Counter:
    return Counter((t.stimulus_id, t.stimulus_b_id) for p in participants
                   for t in trials_planned(p) if not t.is_practice and t.left == "a")


@pytest.mark.django_db
def test_sides_are_balanced_across_participants_per_pair(pair_study):
    # Seeds given, so that "random within each" is not left to chance: with drawn ones,
    # all four couples show 6 of 12 pairs a-left about 3 times in 1,000.
    seeds = iter(range(101, 120))
    real = [participant_enroll(study=pair_study, seed=next(seeds)) for _ in range(6)]
    bots = [participant_enroll(study=pair_study, is_bot=True, seed=next(seeds)) for _ in range(2)]
    declined = participant_enroll(study=pair_study, seed=next(seeds))
    participant_advance(participant=declined, from_stage="consent", consent=False)
    real.append(participant_enroll(study=pair_study, seed=next(seeds)))  # the declined one's place
    real.append(participant_enroll(study=pair_study, seed=next(seeds)))
    counts = _left_counts(real)
    assert len(counts) == 12 and set(counts.values()) == {4}  # 8 participants: 4 a-left each
    assert set(_left_counts(bots).values()) == {1}           # bots balance among themselves
    per_participant = [sum(not t.is_practice and t.left == "a" for t in trials_planned(p))
                       for p in real]
    assert len(set(per_participant)) > 1                     # random within each, not fixed
    assert Participant.objects.filter(study=pair_study).count() == 11


@pytest.mark.django_db
def test_without_the_practice_trial_a_pairs_study_starts_at_pair_1(pair_study):
    Study.objects.filter(pk=pair_study.pk).update(practice_enabled=False, is_pilot=True)
    participant = participant_enroll(study=Study.objects.get(pk=pair_study.pk))
    assert participant.next_trial == 1 and participant.is_pilot
    assert [t.index for t in trials_planned(participant)] == list(range(1, 13))
    assert list(participant.trials.values_list("index", flat=True)) == [1, 2, 3]


def test_a_preference_question_in_a_questions_file():
    from studyapp.questions import QuestionsError, questions_parse

    (question,) = questions_parse(PREFERENCE + '[question.zh-hans]\nprompt = "您更喜欢哪个？"\n')
    assert (question.kind, question.none, question.sides) == ("preference", False,
                                                              ("left", "right"))
    assert question.translations == {"zh-hans": {"prompt": "您更喜欢哪个？"}}
    with pytest.raises(QuestionsError, match="none must be true or false"):
        questions_parse(PREFERENCE.replace("none = false", 'none = "no"'))
    with pytest.raises(QuestionsError, match="unknown key"):
        questions_parse(PREFERENCE + 'options = { a = "A", b = "B" }\n')
