"""Clip links for nginx (CLIP_LINKS_ROOT): one per clip, named as its URL, made by
build_study and by `manage.py link_clips`, and pruned when stimuli or studies go."""

import os
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from studyapp.models import Study
from studyapp.services import study_build

pytestmark = pytest.mark.django_db


@pytest.fixture
def links(tmp_path, settings):
    settings.CLIP_LINKS_ROOT = str(tmp_path / "links")
    return tmp_path / "links"


def _linked(root: Path, slug: str) -> dict[str, Path]:
    return {p.name: Path(os.readlink(p)) for p in (root / slug).iterdir()}


def test_build_links_every_clip_under_the_path_of_its_url(links, make_set, small_rows,
                                                          stimuli_root):
    study = study_build(manifest=make_set("a", small_rows), design="custom", slug="a").study
    linked = _linked(links, "a")
    assert len(linked) == study.stimuli.count() == 7       # 6 stimuli and the practice clip
    for stimulus in study.stimuli.all():
        url = reverse("studyapp:stimulus_file", args=["a", stimulus.pk, "mp4"])
        assert url == f"/s/a/clip/{stimulus.pk}.mp4"       # what nginx's location matches
        target = linked[f"{stimulus.pk}.mp4"]
        assert target == (stimuli_root / "a" / stimulus.file).resolve()
        assert stimulus.stimulus_id not in str(url)


def test_a_rebuild_replaces_the_links_of_gone_stimuli(links, make_set, small_rows):
    study_build(manifest=make_set("a", small_rows), design="custom", slug="a")
    before = set(_linked(links, "a"))
    study_build(manifest=make_set("b", small_rows[:2]), design="custom", slug="a")
    after = _linked(links, "a")
    pks = {f"{pk}.mp4" for pk in Study.objects.get(slug="a").stimuli.values_list("pk", flat=True)}
    assert set(after) == pks and not set(after) & before
    assert all("/b/clips/" in str(target) for target in after.values())


def test_link_clips_syncs_every_study_and_drops_gone_ones(links, make_set, small_rows, settings):
    settings.CLIP_LINKS_ROOT = ""
    study_build(manifest=make_set("a", small_rows), design="custom", slug="a")
    study_build(manifest=make_set("b", small_rows), design="custom", slug="b")
    assert not links.exists()                               # off: build made none
    out = StringIO()
    call_command("link_clips", "--root", str(links), stdout=out)
    assert "14 link(s) for 2 study(ies)" in out.getvalue()
    Study.objects.get(slug="b").delete()
    call_command("link_clips", "--root", str(links), stdout=StringIO())
    assert sorted(p.name for p in links.iterdir()) == ["a"]


def test_link_clips_without_a_root_says_so(settings):
    settings.CLIP_LINKS_ROOT = ""
    with pytest.raises(CommandError, match="CLIP_LINKS_ROOT is not set"):
        call_command("link_clips")
