"""Pages drawn once and kept (fragments.page_kept) are the pages a plain rendering gives,
each with its own participant's CSRF token and resume code, and never another's."""

import re

import pytest
from django.middleware.csrf import _unmask_cipher_token
from django.shortcuts import render

from studyapp import views
from studyapp.models import Study
from tests.studyapp.participant import Walker

pytestmark = pytest.mark.django_db

STUDY = "5f8e2c1a9b3d4e6f7a8b9c0d"
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _plain(monkeypatch):
    """Serve pages by a plain rendering instead of the kept page, for comparison."""
    monkeypatch.setattr(views, "page_kept", lambda request, template, context:
                        render(request, template, context))


def _pages(walker: Walker) -> dict[str, str]:
    """The kept pages of one participant's walk: the study link's information sheet and
    the same at its own address, the questionnaire, the instructions."""
    pages = {"sheet at the link": walker.entry.content.decode(),
             "sheet": walker.client.get(walker.url("consent/")).content.decode()}
    walker.consent()
    pages["about you"] = walker.client.get(walker.url("about-you/")).content.decode()
    walker.client.post(walker.url("about-you/"), {"age": 30, "gender": "female"})
    pages["instructions"] = walker.client.get(walker.url("instructions/")).content.decode()
    return pages


def _again_plain(walker: Walker, monkeypatch) -> dict[str, str]:
    """The pages of _pages that the participant can still see, drawn plainly now."""
    with monkeypatch.context() as patch:
        _plain(patch)
        return {"instructions": walker.client.get(walker.url("instructions/")).content.decode()}


def _tokenless(page: str) -> str:
    return TOKEN.sub('name="csrfmiddlewaretoken" value="-"', page)


def test_kept_pages_are_the_plain_pages_with_each_participants_own_token_and_code(
        small_study, monkeypatch):
    one = Walker("small", f"?PROLIFIC_PID={'a' * 24}&STUDY_ID={STUDY}&SESSION_ID=x1")
    two = Walker("small", f"?PROLIFIC_PID={'b' * 24}&STUDY_ID={STUDY}&SESSION_ID=y1")
    kept_one, kept_two = _pages(one), _pages(two)
    code_one, code_two = one.participant.resume_code, two.participant.resume_code
    assert f"{code_one[:4]}-{code_one[4:]}" in kept_one["instructions"]
    assert f"{code_two[:4]}-{code_two[4:]}" in kept_two["instructions"]
    for page in kept_two.values():
        assert code_one[:4] not in page and code_one[4:] not in page
    for walker, kept in ((one, kept_one), (two, kept_two)):
        token = walker.client.cookies["csrftoken"].value  # the secret; pages get it masked
        for name, page in kept.items():
            found = TOKEN.findall(page)
            assert found and all(_unmask_cipher_token(t) == token for t in found), name
        assert _tokenless(kept["instructions"]) == _tokenless(
            _again_plain(walker, monkeypatch)["instructions"])
    # The sheet and the questionnaire drawn plainly, for a third newcomer.
    with monkeypatch.context() as patch:
        _plain(patch)
        three = Walker("small", f"?PROLIFIC_PID={'c' * 24}&STUDY_ID={STUDY}")
        plain = _pages(three)
    code_three = three.participant.resume_code
    for name in ("sheet at the link", "sheet", "about you"):
        assert _tokenless(plain[name]).replace(code_three[4:], code_one[4:]).replace(
            code_three[:4], code_one[:4]) == _tokenless(kept_one[name]), name


def test_a_kept_page_follows_an_edit_of_the_study_and_the_language(small_study):
    first = Walker("small").entry.content.decode()
    Study.objects.filter(pk=small_study.pk).update(information_sheet="Our own sheet, wave 2.")
    edited = Walker("small").entry.content.decode()
    assert "Our own sheet, wave 2." in edited and "Our own sheet" not in first
    Study.objects.filter(pk=small_study.pk).update(language="zh-hans")
    assert 'lang="zh-hans"' in Walker("small").entry.content.decode()


def test_a_form_with_answers_is_drawn_for_its_request(small_study):
    walker = Walker("small")
    refused = walker.client.post(walker.url("consent/"), {})
    assert refused.status_code == 200 and b"Please choose whether you consent" in refused.content
    assert b"Please choose" not in Walker("small").entry.content   # not kept for others
