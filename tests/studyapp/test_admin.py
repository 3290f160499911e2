"""The admin: every study setting on the study's change form, data read-only,
and a study deleted only while nobody has taken part."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from studyapp.models import Participant, Response, Stimulus, Study
from studyapp.studies import study_build

pytestmark = pytest.mark.django_db

SETTINGS = {"title", "language", "texts", "is_open", "is_pilot", "completion_code", "redirect_url",
            "information_sheet", "practice_enabled", "require_full_playback", "breaks_every",
            "attention_checks", "min_window_width", "min_window_height", "inactive_minutes"}


@pytest.fixture
def admin_client():
    client = Client()
    client.force_login(get_user_model().objects.create_superuser("exp", password="pw"))
    return client


@pytest.fixture
def empty_study(make_set, small_rows):
    """A study nobody has taken part in."""
    return study_build(manifest=make_set("empty", small_rows), design="custom",
                       slug="empty").study


def change_url(model, pk, page="change"):
    return f"/admin/studyapp/{model._meta.model_name}/{pk}/{page}/"


def list_url(model):
    return f"/admin/studyapp/{model._meta.model_name}/"


def test_study_change_form_shows_every_setting_grouped_with_help(admin_client, small_study):
    page = admin_client.get(change_url(Study, small_study.pk))
    assert page.status_code == 200
    assert set(page.context["adminform"].form.fields) == SETTINGS
    html = page.content.decode()
    for name in SETTINGS:
        assert f'name="{name}"' in html, name
    for legend in ("Recruitment", "Procedure", "Participants&#x27; devices and activity"):
        assert legend in html
    assert "closed: new participants are turned away" in html              # admin's own text
    assert "after this long without activity a participant" in html         # the model's text


def test_every_study_setting_is_saved_from_the_change_form(admin_client, small_study):
    form = {"title": "Avatars, wave 2", "is_pilot": "on",                    # is_open: unticked
            "completion_code": "C0DE42",
            "redirect_url": "app.prolific.com/submissions/complete?cc=C0DE42",
            "information_sheet": "Our own sheet.", "breaks_every": "10",     # practice, playback:
            "language": "zh-hans",
            "texts": '{"zh-hans": {"title": "虚拟角色研究"}}',
            "attention_checks": "2", "min_window_width": "1024",             # unticked
            "min_window_height": "700", "inactive_minutes": "30", "_save": "Save"}
    reply = admin_client.post(change_url(Study, small_study.pk), form)
    assert reply.status_code == 302, reply.context["adminform"].form.errors
    study = Study.objects.get(pk=small_study.pk)
    assert (study.title, study.is_open, study.is_pilot, study.completion_code) == (
        "Avatars, wave 2", False, True, "C0DE42")
    # Typed without a scheme: Prolific's https link, not http.
    assert study.redirect_url == "https://app.prolific.com/submissions/complete?cc=C0DE42"
    assert (study.information_sheet, study.practice_enabled, study.require_full_playback) == (
        "Our own sheet.", False, False)
    assert (study.breaks_every, study.attention_checks, study.min_window_width,
            study.min_window_height, study.inactive_minutes) == (10, 2, 1024, 700, 30)
    assert study.language == "zh-hans" and study.texts == {"zh-hans": {"title": "虚拟角色研究"}}
    assert study.slug == "small" and study.design == "custom"               # read-only


@pytest.mark.parametrize("model", [Participant, Response, Stimulus])
def test_participants_answers_and_stimuli_cannot_be_added_changed_or_deleted(
        admin_client, walker, model):
    walker.answer()
    obj = model.objects.first()
    listing = admin_client.get(list_url(model))
    assert listing.status_code == 200 and b"delete_selected" not in listing.content
    assert admin_client.get(change_url(model, obj.pk)).status_code == 200   # view only
    assert admin_client.get(change_url(model, obj.pk, "delete")).status_code == 403
    assert admin_client.post(change_url(model, obj.pk, "delete"), {"post": "yes"}).status_code == 403
    admin_client.post(list_url(model), {"action": "delete_selected", "_selected_action": [obj.pk],
                                        "post": "yes"})
    assert admin_client.get(list_url(model) + "add/").status_code == 403
    assert model.objects.filter(pk=obj.pk).exists()


def test_a_study_with_participants_cannot_be_deleted(admin_client, walker, small_study):
    change = admin_client.get(change_url(Study, small_study.pk))
    assert b'class="deletelink"' not in change.content
    assert admin_client.get(change_url(Study, small_study.pk, "delete")).status_code == 403
    bulk = admin_client.post(list_url(Study), {"action": "delete_selected",
                                               "_selected_action": [small_study.pk], "post": "yes"})
    assert b"<title>Cannot delete study" in bulk.content
    assert Study.objects.filter(pk=small_study.pk).exists()
    assert admin_client.get(list_url(Study) + "add/").status_code == 403   # build_study makes them


def test_a_study_nobody_took_part_in_can_be_deleted(admin_client, walker, empty_study):
    change = admin_client.get(change_url(Study, empty_study.pk))
    assert b'class="deletelink"' in change.content
    assert admin_client.get(change_url(Study, empty_study.pk, "delete")).status_code == 200
    reply = admin_client.post(change_url(Study, empty_study.pk, "delete"), {"post": "yes"})
    assert reply.status_code == 302
    assert not Study.objects.filter(pk=empty_study.pk).exists()
    assert not Stimulus.objects.filter(study_id=empty_study.pk).exists()


def test_bulk_delete_takes_a_study_nobody_took_part_in(admin_client, empty_study):
    reply = admin_client.post(list_url(Study), {"action": "delete_selected",
                                                "_selected_action": [empty_study.pk], "post": "yes"})
    assert reply.status_code == 302
    assert not Study.objects.filter(pk=empty_study.pk).exists()


def test_closing_a_study_in_the_admin_removes_its_clip_links(admin_client, small_study,
                                                            tmp_path, settings):
    """nginx sends linked clips without asking the app, so a closed study has no links
    (clip_links.py); participants still finishing get their clips from the app."""
    from studyapp.studies import study_links_refresh

    settings.CLIP_LINKS_ROOT = str(tmp_path / "links")
    study_links_refresh(small_study)
    folder = tmp_path / "links" / "small"
    assert len(list(folder.iterdir())) == 7
    form = {"title": small_study.title, "completion_code": small_study.completion_code,
            "practice_enabled": "on", "require_full_playback": "on", "breaks_every": "0",
            "attention_checks": "0", "min_window_width": "0", "min_window_height": "0",
            "inactive_minutes": "60", "language": "en", "texts": "{}", "_save": "Save"}  # is_open unticked
    assert admin_client.post(change_url(Study, small_study.pk), form).status_code == 302
    assert list(folder.iterdir()) == []
    assert admin_client.post(change_url(Study, small_study.pk),
                             {**form, "is_open": "on"}).status_code == 302
    assert len(list(folder.iterdir())) == 7


def test_a_pairs_studys_attention_checks_need_no_preference(admin_client, make_set, pair_rows):
    """Catch pairs expect "no preference": the admin refuses them, with a sentence that says
    so, for a pairs study whose preference question does not offer it."""
    from studyapp.questions import questions_parse
    from tests.studyapp.test_pairs import PREFERENCE

    study = study_build(manifest=make_set("own", pair_rows), design="pairs", slug="own",
                        compare="method", questions=questions_parse(PREFERENCE)).study
    form = {"title": study.title, "completion_code": study.completion_code, "is_open": "on",
            "practice_enabled": "on", "require_full_playback": "on", "breaks_every": "0",
            "attention_checks": "2", "min_window_width": "0", "min_window_height": "0",
            "inactive_minutes": "60", "language": "en", "texts": "{}", "_save": "Save"}
    page = admin_client.get(change_url(Study, study.pk)).content.decode()
    assert "method" in page and "pairs" in page                      # compared factor shown
    reply = admin_client.post(change_url(Study, study.pk), form)
    assert reply.status_code == 200
    assert "expect &quot;no preference&quot;" in reply.content.decode()
    assert Study.objects.get(pk=study.pk).attention_checks == 0
