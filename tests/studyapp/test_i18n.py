"""Participant pages in the participant's language (studyapp/languages.py, locale/).

Every participant page is rendered in Simplified Chinese and searched for the
English source text of every catalogue entry; the catalogue must be complete
and current (``makemessages`` finds nothing new); the study's setting, the
link's ``?lang=``, the browser's Accept-Language and the information sheet's
switch pick the language, which the participants export records.
"""

import csv
import io
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.core.management import call_command

from contract import EMOTION_LABELS
from studyapp.languages import language_pick
from studyapp.models import Participant, Study
from studyapp.questions import EMOTION_WORDS
from studyapp.status import missing_translations
from tests.studyapp.participant import Walker

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
PID = "?PROLIFIC_PID=" + "5f0c" * 6 + "&STUDY_ID=" + "9a3e" * 6


def _catalogue():
    with open(CATALOGUE, "rb") as handle:
        return read_po(handle, locale="zh_Hans")


def _msgids() -> list[str]:
    return [m.id[0] if isinstance(m.id, tuple) else m.id for m in _catalogue() if m.id]


def _english_fragments() -> dict[str, re.Pattern]:
    """Each source text's words between its tags and placeholders, as whole-word patterns
    (key names such as <kbd>Space</kbd> are the keyboard's, in every language)."""
    fragments = {}
    for msgid in _msgids():
        for piece in re.split(r"<kbd>\w+</kbd>|<[^>]+>|%\(\w+\)s|\{\w+\}", msgid):
            piece = piece.strip(" .,:;()!?…")
            if re.search(r"[A-Za-z]{2}", piece) and piece not in {"ID", "JSON", "H.264 MP4"}:
                fragments[piece] = re.compile(rf"(?<![A-Za-z]){re.escape(piece)}(?![A-Za-z])")
    return fragments


def _visible(html: str) -> str:
    """The text a participant reads (and the attribute sentences scripts show)."""
    html = re.sub(r"<script.*?</script>", " ", html, flags=re.S)
    attributes = " ".join(re.findall(
        r'(?:data-no-video|data-window-size|aria-label|placeholder)="([^"]*)"', html))
    return re.sub(r"<[^>]+>", " ", html) + " " + attributes


def test_the_chinese_catalogue_is_complete_and_the_emotion_words_are_the_contracts():
    entries = [m for m in _catalogue() if m.id]
    untranslated = [m.id for m in entries if not (m.string[0] if isinstance(m.string, tuple) else m.string)]
    assert entries and untranslated == []
    assert set(EMOTION_WORDS) == set(EMOTION_LABELS.values())


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext is not installed "
                    "(make test installs it)")
def test_the_catalogue_holds_every_string_the_code_marks(tmp_path):
    """makemessages on a copy of the code finds exactly the catalogue's entries."""
    for part in ("studyapp", "templates", "contract", "locale"):
        shutil.copytree(ROOT / part, tmp_path / part, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "manage.py", tmp_path)
    done = subprocess.run([sys.executable, "manage.py", "makemessages", "-l", "zh_Hans",
                           "--no-location"], cwd=tmp_path, capture_output=True, text=True,
                          env={**os.environ, "DEBUG": "1",
                               "DJANGO_SETTINGS_MODULE": "studyapp.settings"}, timeout=300)
    assert done.returncode == 0, done.stderr
    with open(tmp_path / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po", "rb") as handle:
        fresh = {m.id[0] if isinstance(m.id, tuple) else m.id for m in read_po(handle) if m.id}
    assert fresh == set(_msgids()), ("run makemessages and translate: "
                                     f"new {sorted(fresh - set(_msgids()))[:5]}, "
                                     f"gone {sorted(set(_msgids()) - fresh)[:5]}")


@pytest.fixture
def chinese(small_study):
    Study.objects.filter(pk=small_study.pk).update(language="zh-hans", breaks_every=2)
    return small_study


def test_every_participant_page_speaks_chinese(chinese):
    fragments = _english_fragments()
    pages = {}
    w = Walker("small", PID)
    pages["consent"] = w.client.get(w.url("consent/"))
    pages["consent, not chosen"] = w.client.post(w.url("consent/"), {})
    w.client.post(w.url("consent/"), {"consent": "yes"})
    pages["about you"] = w.client.get(w.url("about-you/"))
    pages["about you, invalid"] = w.client.post(w.url("about-you/"), {"age": "3", "gender": ""})
    w.client.post(w.url("about-you/"), {"age": 30, "gender": "female"})
    pages["instructions"] = w.client.get(w.url("instructions/"))
    w.client.post(w.url("instructions/"))
    pages["trial"] = w.client.get(w.url("trial/"))
    too_fast = w.answer(watched=False)
    for _ in range(3):                                                 # practice, trials 1-2
        w.answer()
    pages["pause"] = w.client.get(w.url("pause/"))
    pages["withdraw"] = w.client.get(w.url("withdraw/"))
    other = Walker("small", PID)                                       # another browser
    pages["resume"] = other.client.get("/s/small/resume/")
    pages["resume, wrong code"] = other.client.post("/s/small/resume/", {"code": "AAAA-AAAA"})
    pages["bad link"] = Walker("small", "?PROLIFIC_PID={{%PROLIFIC_PID%}}").entry
    declining = Walker("small")
    declining.client.post(declining.url("consent/"), {"consent": "no"})
    pages["declined"] = declining.client.get(declining.url("declined/"))
    w.client.post(w.url("withdraw/"))
    pages["withdrawn"] = w.client.get(w.url("withdrawn/"))
    for name, page in pages.items():
        html = page.content.decode()
        assert '<html lang="zh-hans">' in html, name
        text = _visible(html)
        left = [f for f, pattern in fragments.items() if pattern.search(text)]
        assert left == [], f"{name} page still says {left}"
        # Text nobody marked for translation: three English words in a row.
        assert not re.search(r"[A-Za-z]{2,}(?:[ ,']+[A-Za-z]{2,}){2,}", text), (
            name, re.search(r"[A-Za-z]{2,}(?:[ ,']+[A-Za-z]{2,}){2,}", text))
    assert "继续" in pages["consent"].content.decode()
    assert "角色表现的是哪种表情" in pages["trial"].content.decode()
    assert "完整观看视频" in too_fast.json()["error"]


def test_done_page_speaks_chinese(chinese):
    w = Walker("small")
    w.to_trials()
    for _ in range(7):
        w.answer()
        if w.participant.stage == "pause":
            w.client.post(w.url("pause/"))
    html = w.client.get(w.url("done/")).content.decode()
    assert "您的完成码" in html and "Your completion code" not in html


@pytest.mark.parametrize("setting, asked, accept, expected", [
    ("en", "zh-hans", "zh-CN,zh;q=0.9", "en"),          # the study fixes it
    ("zh-hans", None, "en-GB", "zh-hans"),
    ("choice", None, "zh-CN,zh;q=0.9,en;q=0.5", "zh-hans"),
    ("choice", None, "de-DE,fr;q=0.8", "en"),           # nothing the platform speaks
    ("choice", "zh-hans", "en-US", "zh-hans"),          # ?lang= for recruiters
    ("choice", "ZH_hans", "", "zh-hans"),
    ("choice", "xx", "en", "en"),
])
def test_language_pick(setting, asked, accept, expected):
    assert language_pick(setting, asked, accept) == expected


def test_a_participants_choice_is_kept_and_exported(small_study):
    Study.objects.filter(pk=small_study.pk).update(language="choice")
    browser = Walker("small", client=None)
    from django.test import Client

    zh = Walker("small", client=Client(HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9"))
    page = zh.client.get(zh.url("consent/")).content.decode()
    assert 'id="language-switch"' in page and "研究说明" in page
    zh.client.get(zh.url("consent/") + "?lang=en")                   # the switch
    assert "Information sheet" in zh.client.get(zh.url("consent/")).content.decode()
    assert zh.consent().participant.language == "en"
    assert browser.consent().participant.language == "en"
    linked = Walker("small", "?lang=zh-hans").consent()
    assert linked.participant.language == "zh-hans"
    linked.client.get(linked.url("about-you/") + "?lang=en")         # no switch past consent
    assert linked.participant.language == "zh-hans"
    out = io.StringIO()
    call_command("export_responses", "small", participants=True, stdout=out)
    languages = {row["participant"]: row["language"] for row in csv.DictReader(io.StringIO(out.getvalue()))}
    assert languages[zh.participant.code] == "en" and languages[linked.participant.code] == "zh-hans"
    assert Participant.objects.count() == 3


def test_a_fixed_language_has_no_switch(chinese):
    w = Walker("small")
    page = w.client.get(w.url("consent/") + "?lang=en").content.decode()
    assert 'id="language-switch"' not in page and "研究说明" in page
    assert w.consent().participant.language == "zh-hans"


OWN = """
[[question]]
id = "natural"
kind = "scale"
prompt = "How natural was the character?"
points = 5
low = "Not at all"
high = "Very"
[question.zh-hans]
prompt = "角色看起来有多自然？"
low = "完全不自然"
high = "非常自然"

[[question]]
id = "clarity"
kind = "choice"
prompt = "Which emotion did you see?"
options = { anger = "Anger", joy = "Joy" }
[question.zh-hans]
options = { joy = "喜悦" }
"""


def test_a_studys_own_texts_and_questions_in_chinese_and_what_is_missing(make_set, small_rows,
                                                                         tmp_path):
    questions = tmp_path / "questions.toml"
    questions.write_text(OWN)
    call_command("build_study", str(make_set("own", small_rows)), design="custom", slug="own",
                 questions=questions, language="zh-hans", title="Avatars",
                 stdout=io.StringIO())
    Study.objects.filter(slug="own").update(
        information_sheet="Our own sheet.", texts={"zh-hans": {"title": "虚拟角色研究"}})
    w = Walker("own")
    consent = w.client.get(w.url("consent/")).content.decode()
    assert "虚拟角色研究" in consent and "Avatars" not in consent
    assert "Our own sheet." in consent                     # no translation: as written
    w.to_trials()
    page = w.client.get(w.url("trial/")).content.decode()
    assert "角色看起来有多自然？" in page and "非常自然" in page
    assert "Which emotion did you see?" in page            # no prompt given: as written
    assert "喜悦" in page and "愤怒" in page               # the catalogue knows "Anger"
    out = io.StringIO()
    call_command("study_status", "own", stdout=out)
    assert ("participants reading zh-hans (no translation): information sheet, "
            "question clarity") in out.getvalue()


def test_a_bad_translation_table_is_named(tmp_path):
    from studyapp.questions import QuestionsError, questions_parse

    with pytest.raises(QuestionsError, match=r"\[zh-hans\]: options translates the labels"):
        questions_parse(OWN.replace('options = { joy = "喜悦" }', 'options = { fear = "恐惧" }'))
    with pytest.raises(QuestionsError, match="unknown key"):
        questions_parse(OWN.replace("[question.zh-hans]", "[question.fr]", 1))


def test_bots_rehearse_a_chinese_study(chinese):
    out = io.StringIO()
    call_command("run_bots", "small", n=1, answers="accurate", seed=1, stdout=out)
    assert "1 of 1 bots completed" in out.getvalue()
    assert Participant.objects.get(is_bot=True).language == "zh-hans"


def test_a_chinese_page_leaves_the_next_request_in_english(chinese, client):
    """A language is switched on per participant page; the thread that served it must
    not keep it for the next request (the admin has Django's own Chinese catalogue)."""
    w = Walker("small")
    assert "研究说明" in w.client.get(w.url("consent/")).content.decode()
    login = client.get("/admin/login/").content.decode()
    assert "Log in" in login and "登录" not in login


def test_a_pairs_studys_pages_speak_chinese(pair_study):
    """The instructions, the pair trial, the pause and the refusal of a pair answered too
    soon, in Chinese with no English left (the default pair questions are the catalogue's)."""
    Study.objects.filter(pk=pair_study.pk).update(language="zh-hans", breaks_every=1)
    fragments = _english_fragments()
    w = Walker("pairs")
    w.consent()
    w.client.post(w.url("about-you/"), {"age": 30, "gender": "female"})
    pages = {"instructions": w.client.get(w.url("instructions/"))}
    w.client.post(w.url("instructions/"))
    pages["trial"] = w.client.get(w.url("trial/"))
    too_fast = w.answer_pair(watched=False)
    w.answer_pair()                                                      # the practice pair
    w.answer_pair()                                                      # pair 1: a pause
    pages["pause"] = w.client.get(w.url("pause/"))
    for name, page in pages.items():
        text = _visible(page.content.decode())
        left = [f for f, pattern in fragments.items() if pattern.search(text)]
        assert left == [], f"{name} page still says {left}"
        assert not re.search(r"[A-Za-z]{2,}(?:[ ,']+[A-Za-z]{2,}){2,}", text), name
    trial = pages["trial"].content.decode()
    assert "哪个视频看起来更自然" in trial and "无偏好" in trial and "先播放 A 再播放 B" in trial
    assert "完整观看两段视频" in too_fast.json()["error"]
    assert "对视频中的" in pages["pause"].content.decode()
    pair_study.refresh_from_db()
    assert missing_translations(pair_study) == {"zh-hans": ["title"]}   # no question listed
