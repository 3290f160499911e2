"""build_study: validation names every problem, creates nothing on error, is idempotent."""

import json

import pytest
from django.core.management import CommandError, call_command

from studyapp.models import Participant, Stimulus, Study
from studyapp.services import participant_enroll


def build(manifest, design="custom", slug="s", **kwargs):
    call_command("build_study", str(manifest), design=design, slug=slug, **kwargs)


@pytest.mark.django_db
def test_task2_set_builds_with_126_stimuli_and_a_practice_clip(make_set):
    build(make_set("t2", design="task2"), design="task2", slug="t2")
    study = Study.objects.get(slug="t2")
    assert study.stimuli.filter(is_practice=False).count() == 126
    assert study.stimuli.filter(is_practice=True).count() == 1
    assert study.between_factor == ""


@pytest.mark.django_db
def test_task1_stimuli_carry_their_sentence_group(make_set):
    build(make_set("t1", design="task1"), design="task1", slug="t1")
    study = Study.objects.get(slug="t1")
    groups = sorted(study.stimuli.filter(is_practice=False).values_list("group", flat=True))
    assert {g: groups.count(g) for g in set(groups)} == {"1": 98, "2": 98, "3": 98, "4": 98}


@pytest.mark.django_db
def test_every_problem_is_named_at_once_and_nothing_is_created(make_set, small_rows):
    manifest = make_set("bad", small_rows)
    data = json.loads(manifest.read_text())
    data["stimuli"][0]["factors"]["emotion"] = "happy"          # unknown emotion code
    (manifest.parent / data["stimuli"][1]["file"]).unlink()      # missing file
    data["stimuli"][2]["sha256"] = "0" * 64                      # checksum mismatch
    data["stimuli"][3]["id"] = data["stimuli"][4]["id"]          # duplicated id
    manifest.write_text(json.dumps(data))
    with pytest.raises(CommandError) as failure:
        build(manifest, slug="bad")
    message = str(failure.value)
    assert "4 problem(s)" in message
    assert "'happy' is not one of" in message
    assert "does not exist" in message
    assert "sha256 of clips/" in message
    assert "is used twice" in message
    assert not Study.objects.exists() and not Stimulus.objects.exists()


@pytest.mark.django_db
def test_missing_combination_for_the_design_is_refused(make_set):
    manifest = make_set("t2", design="task2")
    data = json.loads(manifest.read_text())
    removed = data["stimuli"].pop()
    manifest.write_text(json.dumps(data))
    with pytest.raises(CommandError, match=f"character={removed['factors']['character']}"):
        build(manifest, design="task2", slug="t2")
    assert not Study.objects.exists()


@pytest.mark.django_db
def test_rerun_with_the_same_manifest_changes_nothing(make_set, small_rows, capsys):
    manifest = make_set("a", small_rows)
    build(manifest)
    before = list(Stimulus.objects.values_list("pk", flat=True))
    build(manifest)
    assert list(Stimulus.objects.values_list("pk", flat=True)) == before
    assert "nothing changed" in capsys.readouterr().out


@pytest.mark.django_db
def test_a_different_manifest_is_refused_once_participants_exist(make_set, small_rows):
    build(make_set("a", small_rows))
    participant_enroll(study=Study.objects.get(slug="s"))
    other = make_set("b", small_rows[:4])
    with pytest.raises(CommandError, match="already has 1 participant"):
        build(other)
    assert Stimulus.objects.filter(is_practice=False).count() == len(small_rows)
    assert Participant.objects.count() == 1


@pytest.mark.django_db
def test_a_different_manifest_replaces_stimuli_while_nobody_enrolled(make_set, small_rows):
    build(make_set("a", small_rows))
    build(make_set("b", small_rows[:4]))
    assert Stimulus.objects.filter(is_practice=False).count() == 4


@pytest.mark.django_db
def test_sets_outside_stimuli_root_are_refused(tmp_path, clip_file, small_rows, stimuli_root):
    from tests.media import write_set

    manifest = write_set(tmp_path / "elsewhere", small_rows, clip_file)
    with pytest.raises(CommandError, match="outside STIMULI_ROOT"):
        build(manifest)


@pytest.mark.django_db
def test_unreadable_manifest_gives_a_sentence(stimuli_root):
    bad = stimuli_root / "x" / "manifest.json"
    bad.parent.mkdir()
    bad.write_text("{not json")
    with pytest.raises(CommandError, match="not valid UTF-8 JSON"):
        build(bad)
    with pytest.raises(CommandError, match="does not exist"):
        build(stimuli_root / "nope.json")
