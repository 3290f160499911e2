"""A pair trial in a real Chromium (Playwright): the two clips side by side on a desktop
and one above the other on a phone, answers locked until both clips played to their
end, playing one pausing the other, "Play A then B", mouse and keyboard (A / B / N,
1 / 2 / 3, Enter), pairs shown in place; screenshots go to test-artifacts/."""

import pytest

from studyapp.models import Participant, Response, Study
from studyapp.studies import study_build
from tests.studyapp.test_browser import (  # noqa: F401
    ARTIFACTS,
    browser,
    reach,
    start_trials,
    to_instructions,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
BOTH_ENDED = ("document.getElementById('clip').ended && "
              "document.getElementById('clip-right').ended")


@pytest.fixture
def study(make_set, pair_rows):
    return study_build(manifest=make_set("browser", pair_rows), design="pairs", slug="browser",
                       title="Which is better?", compare="method").study


def box(page, selector) -> dict:
    return page.locator(selector).bounding_box()


def both_played(page):
    page.wait_for_function(BOTH_ENDED, timeout=15000)
    page.wait_for_function("!document.querySelector('fieldset.question').disabled", timeout=5000)


def stored_by_side(response) -> dict:
    """A stored answer as sides again: the level shown left and right on its trial (a
    practice clip's letter: it has no method)."""
    trial = response.trial
    a, b = trial.stimulus.factors.get("method", "a"), trial.stimulus_b.factors.get("method", "b")
    left, right = (a, b) if trial.left == "a" else (b, a)
    return {"left": left, "right": right}


def test_a_pair_on_a_desktop_with_mouse_and_keyboard(browser, live_server, study):  # noqa: F811
    ARTIFACTS.mkdir(exist_ok=True)
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    page = context.new_page()
    start_trials(page, live_server.url)
    page.evaluate("window.sameDocument = true")
    assert page.is_visible("#clip") and page.is_visible("#clip-right")
    left, right = box(page, "#stage-left"), box(page, "#stage-right")
    assert abs(left["y"] - right["y"]) < 1 and right["x"] >= left["x"] + left["width"]
    assert page.inner_text("#label-left") == "A" and page.inner_text("#label-right") == "B"
    assert page.is_disabled("fieldset[data-question=lip_sync] input[value=left]")
    assert page.is_disabled("#submit")
    page.screenshot(path=str(ARTIFACTS / "pair-desktop-before.png"), full_page=True)

    page.click("#play")                                       # A alone: answers stay locked
    page.wait_for_function("document.getElementById('clip').ended", timeout=15000)
    assert page.is_disabled("fieldset[data-question=lip_sync] input[value=left]")
    assert "Play both clips" in page.inner_text("#submit-hint")
    page.click("#play-right")
    both_played(page)
    assert page.evaluate("document.querySelectorAll('.side-label.watched').length") == 2
    for question, option in (("lip_sync", "A"), ("naturalness", "B"),
                             ("expression", "No preference")):
        page.click(f"fieldset[data-question={question}] label.option:has-text('{option}')")
    page.wait_for_function("!document.getElementById('submit').disabled", timeout=5000)
    page.screenshot(path=str(ARTIFACTS / "pair-desktop.png"), full_page=True)
    page.click("#submit")
    reach(page, "Trial 1 of 12")
    assert page.evaluate("window.sameDocument === true")    # the next pair shown in place
    assert page.is_disabled("fieldset[data-question=lip_sync] input[value=left]")

    page.click("#play")                                       # playing B pauses A
    page.wait_for_function("document.getElementById('clip').currentTime > 0")
    page.click("#play-right")
    assert page.evaluate("document.getElementById('clip').paused && "
                         "!document.getElementById('clip').ended")
    page.wait_for_function("document.getElementById('clip-right').ended", timeout=15000)
    assert page.is_visible("#play")                           # A can be played again
    page.keyboard.press("Space")                              # Play A then B
    both_played(page)
    for key in ("b", "n", "1"):                               # lip sync B, none, expression A
        page.keyboard.press(key)
    page.wait_for_function("!document.getElementById('submit').disabled", timeout=5000)
    page.keyboard.press("Enter")
    reach(page, "Trial 2 of 12")
    page.click("#play-both")
    both_played(page)
    for key in ("3", "a", "2"):
        page.keyboard.press(key)
    page.wait_for_function("!document.getElementById('submit').disabled", timeout=5000)
    page.keyboard.press("Enter")
    reach(page, "Trial 3 of 12")

    answers = list(Response.objects.select_related("trial__stimulus", "trial__stimulus_b")
                   .order_by("trial__index"))
    sides = [stored_by_side(r) for r in answers]
    wanted = [("left", "right", "none"), ("right", "none", "left"), ("none", "left", "right")]
    for response, side, chosen in zip(answers, sides, wanted, strict=True):
        assert [response.answers[q] for q in ("lip_sync", "naturalness", "expression")] == [
            side.get(c, "none") for c in chosen]
        assert response.plays >= 1 and response.plays_b >= 1 and response.rt_ms is not None
    assert answers[1].plays + answers[1].plays_b == 4        # A twice, B twice
    context.close()


def test_a_pair_on_a_phone_stacks_the_clips(browser, live_server, study):  # noqa: F811
    Study.objects.filter(pk=study.pk).update(attention_checks=1)
    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                                has_touch=True, device_scale_factor=2)
    page = phone.new_page()
    start_trials(page, live_server.url, age="27", gender="female")
    page.tap("#play-both")
    both_played(page)
    top, bottom = box(page, "#stage-left"), box(page, "#stage-right")
    assert bottom["y"] >= top["y"] + top["height"] and abs(bottom["x"] - top["x"]) < 1
    assert top["width"] > 250                                 # not a thumbnail
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the pair trial scrolls sideways on a phone ({width}px)"
    page.screenshot(path=str(ARTIFACTS / "pair-phone.png"), full_page=True)
    for question in ("lip_sync", "naturalness", "expression"):
        page.tap(f"fieldset[data-question={question}] label.option:has-text('B')")
    page.tap("#submit")
    reach(page, "Trial 1 of 13")
    assert Participant.objects.get().next_trial == 1
    assert not page.is_visible("#attention-check")            # a catch pair has no banner
    phone.close()


def test_a_chinese_pair_trial(browser, live_server, study):  # noqa: F811
    Study.objects.filter(pk=study.pk).update(language="zh-hans")
    for name, viewport in (("desktop", {"width": 1280, "height": 860}),
                           ("phone", {"width": 390, "height": 844})):
        context = browser.new_context(viewport=viewport)
        page = context.new_page()
        to_instructions(page, live_server.url, "30", "male", consent="我同意参加")
        page.screenshot(path=str(ARTIFACTS / f"zh-pair-instructions-{name}.png"), full_page=True)
        page.click("text=开始练习")
        page.wait_for_selector(".practice-banner")
        page.click("#play-both")
        both_played(page)
        page.screenshot(path=str(ARTIFACTS / f"zh-pair-{name}.png"), full_page=True)
        assert "哪个视频看起来更自然" in page.inner_text("main")
        context.close()
