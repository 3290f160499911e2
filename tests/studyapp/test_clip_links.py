"""Clip links for nginx (CLIP_LINKS_ROOT): one per clip, named as its URL (a random
name), made by build_study and by `manage.py link_clips`, pruned when stimuli or
studies go, and none while a study is closed."""

import os
import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from studyapp.models import Study
from studyapp.studies import study_build

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
    names = set()
    for stimulus in study.stimuli.all():
        url = reverse("studyapp:stimulus_file", args=["a", stimulus.url_name, "mp4"])
        assert re.fullmatch(r"/s/a/clip/[0-9a-f]{32}\.mp4", url)  # what nginx's location matches
        target = linked[f"{stimulus.url_name}.mp4"]
        assert target == (stimuli_root / "a" / stimulus.file).resolve()
        assert stimulus.stimulus_id not in str(url)
        names.add(stimulus.url_name)
    assert len(names) == 7


def test_a_closed_study_has_no_links_and_reopening_brings_them_back(links, make_set, small_rows):
    from studyapp.studies import study_links_refresh

    study = study_build(manifest=make_set("a", small_rows), design="custom", slug="a").study
    study.is_open = False
    study_links_refresh(study)
    assert _linked(links, "a") == {}
    study.is_open = True
    study_links_refresh(study)
    assert len(_linked(links, "a")) == 7


def test_a_rebuild_replaces_the_links_of_gone_stimuli(links, make_set, small_rows):
    study_build(manifest=make_set("a", small_rows), design="custom", slug="a")
    before = set(_linked(links, "a"))
    study_build(manifest=make_set("b", small_rows[:2]), design="custom", slug="a")
    after = _linked(links, "a")
    names = {f"{name}.mp4" for name in
             Study.objects.get(slug="a").stimuli.values_list("url_name", flat=True)}
    assert set(after) == names and not set(after) & before
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
