"""A participant in a real Chromium (Playwright): consent, practice, three trials with
mouse and keyboard, a reload mid-study that resumes at the right trial; screenshots of
the trial page at desktop and phone size go to test-artifacts/.
"""

import os
import shutil
from pathlib import Path

import pytest

from studyapp.models import Participant, Response, Study
from studyapp.questions import PAPER
from studyapp.studies import study_build

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (make test installs it)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls the
    # test makes between browser steps are ordinary blocking calls.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"])
        yield browser
        browser.close()
    del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


@pytest.fixture
def study(make_set, small_rows):
    return study_build(manifest=make_set("browser", small_rows), design="custom",
                       slug="browser", title="Browser test").study


def reach(page, progress: str) -> None:
    """Wait for the trial page showing ``progress``; on failure keep what the page showed."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_selector(f"#progress:has-text('{progress}')", timeout=30000)
    except PlaywrightTimeout:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "failed.png"), full_page=True)
        status = page.inner_text("#status") if page.query_selector("#status") else ""
        state = page.evaluate("({plays: document.getElementById('clip') && "
                              "document.getElementById('clip').ended, url: location.href})")
        raise AssertionError(f"never reached {progress!r}; status {status!r}, {state}") from None


def watch(page):
    page.wait_for_function("document.getElementById('clip').ended", timeout=15000)


def answer_with_mouse(page, expression="Happiness", ratings=(5, 4, 3), replay=False):
    page.click("#play")
    if replay:
        watch(page)
        page.click("#play")  # now labelled Replay
        page.wait_for_function("!document.getElementById('clip').ended")
    page.click(f"label.option:has-text('{expression}')")
    for name, value in zip(("intensity", "sync", "naturalness"), ratings, strict=True):
        page.click(f"fieldset[data-question={name}] label:has(input[value='{value}'])")
    if not replay:  # answered before the first end: Next waits for the clip
        assert page.is_disabled("#submit") or page.evaluate("document.getElementById('clip').ended")
    watch(page)
    page.click("#submit")


def answer_with_keyboard(page, keys=("3", "6", "2", "7")):
    page.keyboard.press("Space")
    for key in keys:
        page.keyboard.press(key)
    watch(page)
    # `ended` turns true a moment before the page's ended handler runs; a person
    # cannot press Enter in between, a test can.
    page.wait_for_function("!document.getElementById('submit').disabled", timeout=5000)
    page.keyboard.press("Enter")


def to_instructions(page, base_url, age="40", gender="not-said",
                    consent="I consent to take part"):
    """The study link, consent (the option labelled ``consent``, in the page's language)
    and the questionnaire, up to the instructions."""
    page.goto(f"{base_url}/s/browser/")
    page.get_by_label(consent).check()
    page.click("button[type=submit]")
    page.fill("#id_age", age)
    page.select_option("#id_gender", gender)
    page.click("button[type=submit]")


def start_trials(page, base_url, age="40", gender="not-said"):
    """Consent, questionnaire and instructions, up to the practice trial."""
    to_instructions(page, base_url, age, gender)
    page.click("text=Start the practice trial")
    page.wait_for_selector(".practice-banner")
    # trial.js (end of the body) has run by DOMContentLoaded: before, a key press
    # reaches no handler and the clip never starts.
    page.wait_for_load_state("domcontentloaded")


def test_participant_completes_trials_and_resumes_after_reload(browser, live_server, study):
    ARTIFACTS.mkdir(exist_ok=True)
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    page = context.new_page()
    start_trials(page, live_server.url, age="23", gender="female")
    assert page.is_disabled("#submit")
    page.evaluate("window.sameDocument = true")                # gone if a page loads
    practice_clip = page.get_attribute("#clip", "src")
    answer_with_mouse(page)                                    # practice, mouse
    reach(page, "Trial 1 of 6")
    assert page.evaluate("window.sameDocument === true")       # shown in place
    assert page.get_attribute("#clip", "src") != practice_clip
    assert not page.is_visible("#practice-banner") and page.is_visible("#progress-bar")
    assert page.evaluate("document.querySelectorAll('input:checked').length") == 0
    page.screenshot(path=str(ARTIFACTS / "trial-desktop.png"), full_page=True)
    answer_with_keyboard(page)                                 # trial 1, keyboard
    reach(page, "Trial 2 of 6")
    answer_with_mouse(page, "Surprise", (7, 7, 7), replay=True)             # trial 2, mouse
    reach(page, "Trial 3 of 6")

    assert page.evaluate("window.sameDocument === true")
    page.reload()                                              # mid-study reload
    reach(page, "Trial 3 of 6")
    page.goto(f"{live_server.url}/s/browser/consent/")         # an old page
    assert page.url.endswith("/s/browser/trial/")
    answer_with_keyboard(page, keys=("1", "1", "1", "1"))      # trial 3, keyboard
    reach(page, "Trial 4 of 6")

    participant = Participant.objects.get()
    assert participant.next_trial == 4
    answers = {r.trial.index: r for r in Response.objects.select_related("trial")}
    assert sorted(answers) == [0, 1, 2, 3]
    assert answers[0].trial.is_practice
    assert (answers[1].response_emotion, answers[1].intensity, answers[1].sync,
            answers[1].naturalness) == ("sadness", 6, 2, 7)
    assert (answers[2].response_emotion, answers[2].intensity, answers[2].plays) == (
        "surprise", 7, 2)
    assert answers[3].response_emotion == "neutral"
    assert all(r.plays >= 1 and r.rt_ms is not None for r in answers.values())
    context.close()

    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                                has_touch=True, device_scale_factor=2)
    page = phone.new_page()
    start_trials(page, live_server.url, age="31", gender="male")
    page.tap("#play")
    watch(page)
    page.screenshot(path=str(ARTIFACTS / "trial-phone.png"), full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the trial page scrolls sideways on a phone ({width}px)"
    phone.close()


def test_attention_checks_show_their_instruction_in_place(browser, live_server, study):
    study.attention_checks = 2
    study.save()
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    page = context.new_page()
    start_trials(page, live_server.url)
    participant = Participant.objects.get()
    checks = 0
    while participant.stage == Participant.Stage.TRIALS:
        trial = participant.trials.get(index=participant.next_trial)
        page.wait_for_function(f"document.getElementById('progress').textContent"
                               f".includes('{'Practice' if trial.is_practice else trial.index}')")
        before = page.inner_text("#progress")
        assert page.is_visible("#attention-check") == bool(trial.check_answer)
        if trial.check_answer:
            checks += 1
            wanted = trial.check_answer
            assert page.inner_text("#check-intensity") == str(wanted["intensity"])
            choice = [code for code, _ in PAPER[0].choices].index(wanted["response_emotion"])
            answer_with_keyboard(page, keys=(str(choice + 1), str(wanted["intensity"]), "4", "4"))
        else:
            answer_with_keyboard(page)
        page.wait_for_function(f"location.pathname.endsWith('/done/') || "
                               f"document.getElementById('progress').textContent !== '{before}'")
        participant.refresh_from_db()
    assert checks == 2
    page.wait_for_url("**/done/")
    passed = [r.response_emotion == r.trial.check_answer["response_emotion"]
              and r.intensity == r.trial.check_answer["intensity"]
              for r in Response.objects.select_related("trial")
              .filter(trial__check_answer__isnull=False)]
    assert passed == [True, True]
    context.close()


def test_lost_connection_is_retried_and_stored_once(browser, live_server, study):
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    page = context.new_page()
    start_trials(page, live_server.url)
    page.keyboard.press("Space")
    for key in ("2", "4", "4", "4"):
        page.keyboard.press(key)
    watch(page)
    page.wait_for_function("!document.getElementById('submit').disabled")
    context.set_offline(True)
    page.click("#submit")
    page.wait_for_selector("#status:has-text('Cannot reach the server')")
    assert not Response.objects.exists()
    context.set_offline(False)
    reach(page, "Trial 1 of 6")
    assert [(r.trial.index, r.response_emotion) for r in Response.objects.all()] == [(0, "anger")]
    context.close()


def test_refused_autoplay_offers_tap_to_play(browser, live_server, study):
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    context.add_init_script("""
        const realPlay = HTMLMediaElement.prototype.play;
        let refused = false;
        HTMLMediaElement.prototype.play = function () {
          if (!refused) { refused = true; return Promise.reject(new DOMException("no", "NotAllowedError")); }
          return realPlay.call(this);
        };""")
    page = context.new_page()
    start_trials(page, live_server.url)
    page.click("#play")
    page.wait_for_selector("#play-hint:has-text('Tap the clip')")
    assert page.is_visible("#play")
    page.click("#clip", position={"x": 20, "y": 20})  # the clip itself, off the button
    watch(page)
    context.close()


def test_small_window_gets_a_polite_screening_page(browser, live_server, study):
    study.min_window_width, study.min_window_height = 1000, 600
    study.save()
    context = browser.new_context(viewport={"width": 700, "height": 500})
    page = context.new_page()
    page.goto(f"{live_server.url}/s/browser/")
    page.wait_for_selector("#screening:not([hidden])")
    assert "needs at least 1000 x 600" in page.inner_text("#screening-reason")
    assert not page.is_visible("main")
    context.close()


@pytest.fixture
def slow_study(stimuli_root, small_rows, tmp_path):
    """Four-second clips: long enough that playing one at 16x speed shows."""
    from tests.media import tiny_clip, write_set

    clip = tiny_clip(tmp_path / "four-seconds.mp4", frames=100, seconds=4.0)
    manifest = write_set(stimuli_root / "slow", small_rows, clip, name="slow", duration_s=4.0)
    return study_build(manifest=manifest, design="custom", slug="browser").study


def test_a_clip_sped_up_is_refused_until_watched(browser, live_server, slow_study):
    """playbackRate makes the page see the clip end; the server's clock does not."""
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    context.add_init_script("""
        window.speed = 16;
        const realPlay = HTMLMediaElement.prototype.play;
        HTMLMediaElement.prototype.play = function () {
          this.playbackRate = window.speed;
          return realPlay.call(this);
        };""")
    page = context.new_page()
    start_trials(page, live_server.url)
    answer_with_keyboard(page)
    page.wait_for_selector("#status:has-text('watch the clip to its end')")
    assert not Response.objects.exists()
    assert page.is_disabled("#submit") and page.is_visible("#play")
    assert Participant.objects.get().too_fast_answers == 1
    page.evaluate("window.speed = 1")
    page.keyboard.press("Space")
    watch(page)
    page.wait_for_function("!document.getElementById('submit').disabled", timeout=5000)
    page.keyboard.press("Enter")
    reach(page, "Trial 1 of 6")
    assert Response.objects.count() == 1
    context.close()


def test_back_lands_where_the_server_says(browser, live_server, study):
    """Participant pages are never cached: Back asks the server, which sends the
    participant to the trial they are on, not to an old page from the cache."""
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    page = context.new_page()
    start_trials(page, live_server.url)
    answer_with_keyboard(page)
    reach(page, "Trial 1 of 6")
    answer_with_keyboard(page)
    reach(page, "Trial 2 of 6")
    page.go_back()                         # the instructions, in the browser's history
    reach(page, "Trial 2 of 6")
    assert page.url.endswith("/s/browser/trial/")
    page.go_back()                         # the questionnaire
    reach(page, "Trial 2 of 6")
    assert Response.objects.count() == 2
    context.close()


@pytest.fixture
def own_study(make_set, small_rows, tmp_path):
    """The browser study asking the questions of issue 13's example file."""
    from studyapp.questions import questions_parse
    from tests.studyapp.test_questions import EXAMPLE

    return study_build(manifest=make_set("own", small_rows), design="custom", slug="browser",
                       title="Own questions", questions=questions_parse(EXAMPLE)).study


def test_a_studys_own_questions_are_answered_with_keyboard_and_mouse(browser, live_server,
                                                                     own_study):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    start_trials(page, live_server.url)
    assert page.is_visible("text=Overall quality") and page.is_visible("input[type=range]")
    page.keyboard.press("Space")
    page.keyboard.press("2")                                   # clarity: Happiness
    page.keyboard.press("4")                                   # natural: 4 of 5
    watch(page)
    assert page.is_disabled("#submit")                         # the slider is not moved yet
    box = page.locator("input[type=range]").bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.8, box["y"] + box["height"] / 2)
    page.fill("input[type=text]", "mouth 1 2 lagged")          # digits and spaces type text
    page.wait_for_function("!document.getElementById('submit').disabled", timeout=5000)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "trial-own-questions.png"), full_page=True)
    page.keyboard.press("Enter")
    reach(page, "Trial 1 of 6")
    answers = Response.objects.get().answers
    assert (answers["clarity"], answers["natural"], answers["comment"]) == (
        "joy", 4, "mouth 1 2 lagged")
    assert 70 <= answers["quality"] <= 90
    context.close()


def test_a_chinese_study_on_a_phone(browser, live_server, study):
    """The practice and two trials in Simplified Chinese at phone size; screenshots of
    the information sheet, the instructions and the trial page go to test-artifacts/."""
    Study.objects.filter(pk=study.pk).update(language="zh-hans")
    ARTIFACTS.mkdir(exist_ok=True)
    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                                has_touch=True, device_scale_factor=2)
    page = phone.new_page()
    page.goto(f"{live_server.url}/s/browser/")
    page.screenshot(path=str(ARTIFACTS / "zh-consent-phone.png"), full_page=True)
    to_instructions(page, live_server.url, "21", "female", consent="我同意参加")
    page.screenshot(path=str(ARTIFACTS / "zh-instructions-phone.png"), full_page=True)
    page.click("text=开始练习")
    page.wait_for_selector(".practice-banner")
    page.wait_for_load_state("domcontentloaded")
    assert page.inner_text("#progress") == "练习试次"
    page.tap("#play")
    for choice in ("高兴", "4", "5", "3"):
        fieldset = {"高兴": "response_emotion", "4": "intensity", "5": "sync", "3": "naturalness"}
        page.tap(f"fieldset[data-question={fieldset[choice]}] label:has-text('{choice}')")
    watch(page)
    page.screenshot(path=str(ARTIFACTS / "zh-trial-phone.png"), full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the Chinese trial page scrolls sideways on a phone ({width}px)"
    page.tap("#submit")
    reach(page, "第 1 个，共 6 个")
    answer_with_keyboard(page)
    reach(page, "第 2 个，共 6 个")
    assert [r.response_emotion for r in Response.objects.order_by("trial__index")][0] == "joy"
    assert Participant.objects.get().language == "zh-hans"
    phone.close()
    desktop = browser.new_context(viewport={"width": 1280, "height": 860})
    page = desktop.new_page()
    page.goto(f"{live_server.url}/s/browser/")
    page.screenshot(path=str(ARTIFACTS / "zh-consent-desktop.png"), full_page=True)
    to_instructions(page, live_server.url, "35", "male", consent="我同意参加")
    page.screenshot(path=str(ARTIFACTS / "zh-instructions-desktop.png"), full_page=True)
    page.click("text=开始练习")
    page.wait_for_selector(".practice-banner")
    page.screenshot(path=str(ARTIFACTS / "zh-trial-desktop.png"), full_page=True)
    desktop.close()


@pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx is not installed")
def test_the_waiting_page_moves_on_to_the_study_by_itself(browser, live_server, study, tmp_path):
    """nginx (deploy/nginx.py) in front of the app, letting one newcomer in a second: a
    browser arriving in a crowd sees the waiting page, which then brings it to the
    information sheet."""
    import socket
    import subprocess
    import time
    import urllib.request
    from urllib.parse import urlparse

    from deploy import nginx

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app = urlparse(live_server.url)
    site = nginx.NginxSite(run_dir=tmp_path / "run", static_root=tmp_path / "static",
                           stimuli_root=tmp_path / "stimuli", upstream=f"127.0.0.1:{app.port}",
                           listen=f"127.0.0.1:{port}", server_name="127.0.0.1",
                           user=nginx.local_user(), arrival_rate=1)
    conf = nginx.write(site, tmp_path / "nginx.conf")
    subprocess.run(["nginx", "-c", str(conf)], check=True, capture_output=True, timeout=30)
    try:
        url = f"http://127.0.0.1:{port}/s/browser/"
        for _ in range(100):
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.05)
        for _ in range(1 + nginx.ARRIVAL_QUEUE_S):  # the crowd ahead: the queue is full
            try:
                urllib.request.urlopen(urllib.request.Request(url), timeout=0.05)
            except OSError:
                pass
        context = browser.new_context(viewport={"width": 1280, "height": 860})
        page = context.new_page()
        response = page.goto(url)
        assert response.status == 503 and page.is_visible("#waiting")
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "waiting-page.png"), full_page=True)
        page.wait_for_selector("text=Information sheet", timeout=20000)
        assert not page.is_visible("#waiting")
        context.close()
    finally:
        subprocess.run(["kill", "-QUIT", (tmp_path / "run" / "nginx.pid").read_text().strip()])
        time.sleep(0.3)
