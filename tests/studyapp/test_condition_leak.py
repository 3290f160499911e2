"""Nothing a participant receives names a stimulus's condition (demand characteristics).

A Task-2-like study whose stimulus ids and file names spell out character,
emotion and method (``s0042-mery-anger-etad``, as generated sets do) is walked
from the study link to the completion page. Every page, answer reply, redirect,
clip and poster response and every response header is searched for the ids,
the file names and the factor levels. The emotion words are the one exception,
as answer options: they never appear in a reply or header, and every trial page
holds them equally often.
"""

import json
import re
import uuid
from pathlib import Path

import pytest

from contract import EMOTION_LABELS
from studyapp.models import Study
from studyapp.studies import study_build
from tests.media import design_factor_rows
from tests.studyapp.participant import Walker

pytestmark = pytest.mark.django_db

PROLIFIC = f"?PROLIFIC_PID={'5f0c' * 6}&STUDY_ID={'9a3e' * 6}&SESSION_ID=s1"
CONFIG = re.compile(r'<script id="trial-config" type="application/json">(.*?)</script>', re.S)


@pytest.fixture
def task2(make_set, stimuli_root, clip_file):
    from tests.media import write_set

    manifest = write_set(stimuli_root / "task2-like", design_factor_rows("task2"), clip_file,
                         name="task2-like", posters=True)
    study = study_build(manifest=manifest, design="task2", slug="t2").study
    Study.objects.filter(pk=study.pk).update(breaks_every=60)
    return study


def _forbidden(study) -> dict[str, re.Pattern]:
    """What must not appear: ids, file names (with and without folder and extension)
    and every non-numeric factor level, each as a whole word."""
    words = set()
    for stimulus in study.stimuli.all():
        words |= {str(v) for v in stimulus.factors.values() if not str(v).isdigit()}
        if stimulus.is_practice:
            continue  # announced as the practice trial; its id is the word "practice"
        words |= {stimulus.stimulus_id, Path(stimulus.file).name, Path(stimulus.file).stem}
        if stimulus.poster:
            words |= {Path(stimulus.poster).name, Path(stimulus.poster).stem}
    words -= set(EMOTION_LABELS)  # checked on their own (answer options)
    return {w: re.compile(rf"(?<![A-Za-z0-9]){re.escape(w)}(?![A-Za-z0-9])") for w in words}


class Recorder:
    """Everything the participant's browser receives, by where it came from."""

    def __init__(self, walker):
        self.walker, self.texts, self.pages, self.urls = walker, [], [], set()

    def keep(self, what, response):
        headers = "\n".join(f"{k}: {v}" for k, v in response.headers.items())
        cookies = "\n".join(m.OutputString() for m in response.cookies.values())
        self.texts.append((f"{what} headers", headers + "\n" + cookies))
        if response.streaming:
            return response
        body = response.content.decode("utf-8", "replace")
        self.texts.append((what, body))
        if response.get("Content-Type", "").startswith("text/html"):
            self.pages.append((what, body))
            for match in CONFIG.finditer(body):
                self.trial_state(json.loads(match.group(1))["trial"])
        return response

    def trial_state(self, state):
        self.urls |= {state[k] for k in ("clipUrl", "posterUrl", "nextClipUrl", "rightClipUrl",
                                         "rightPosterUrl", "nextRightClipUrl") if state.get(k)}

    def get(self, url, **headers):
        return self.keep(f"GET {url}", self.walker.client.get(url, **headers))

    def post(self, url, data=None, **kwargs):
        return self.keep(f"POST {url}", self.walker.client.post(url, data or {}, **kwargs))


PAPER_BODY = {"response_emotion": "joy", "intensity": 4, "sync": 4, "naturalness": 4, "plays": 1}
PAIR_BODY = {"lip_sync": "left", "naturalness": "right", "expression": "none", "plays_left": 1,
             "plays_right": 1}


def _walk(recorder, study, answers=PAPER_BODY):
    """From the study link to the completion page, as trial.js does."""
    w = recorder.walker
    recorder.keep("study link", w.entry)                   # the information sheet
    page = w.url("consent/")
    while True:
        response = recorder.get(page)
        if response.status_code == 302:
            page = response["Location"]
            continue
        if page.endswith("/consent/"):
            page = recorder.post(page, {"consent": "yes"})["Location"]
        elif page.endswith("/about-you/"):
            page = recorder.post(page, {"age": 30, "gender": "female"})["Location"]
        elif page.endswith(("/instructions/", "/pause/")):
            page = recorder.post(page)["Location"]
        elif page.endswith("/trial/"):
            state = json.loads(CONFIG.search(response.content.decode()).group(1))["trial"]
            while state is not None:
                w.watch()
                body = {"submission_key": str(uuid.uuid4()), "trial_index": state["trialIndex"],
                        "rt_ms": 900, **answers}
                reply = recorder.post(w.url("answer/"), json.dumps(body),
                                      content_type="application/json")
                assert reply.status_code == 200, reply.content
                state = reply.json().get("trial")
                if state:
                    recorder.trial_state(state)
                page = reply.json()["next"]
        elif page.endswith("/done/"):
            return
        else:
            raise AssertionError(f"unexpected page {page}")


def test_nothing_a_participant_receives_names_the_condition(task2):
    _walk_and_search(task2, PAPER_BODY)


def test_nothing_a_participant_receives_names_the_condition_in_a_pairs_study(task2,
                                                                            stimuli_root):
    """The same set as 126 method pairs: two clips per trial, answered by side."""
    manifest = stimuli_root / task2.stimuli_dir / "manifest.json"
    pairs = study_build(manifest=manifest, design="pairs", slug="t2p", compare="method").study
    Study.objects.filter(pk=pairs.pk).update(breaks_every=60, attention_checks=2)
    _walk_and_search(Study.objects.get(pk=pairs.pk), PAIR_BODY, checks=2)


def _walk_and_search(task2, answers, checks=0):
    slug = task2.slug
    recorder = Recorder(Walker(slug, PROLIFIC))
    _walk(recorder, task2, answers)
    participant = recorder.walker.participant
    assert participant.stage == "done" and participant.trials.count() == 127 + checks
    assert len(recorder.urls) == 127 + 126  # every clip once, a poster per measured one
    for url in sorted(recorder.urls):
        assert re.fullmatch(rf"/s/{slug}/clip/[0-9a-f]{{32}}\.(mp4|png)", url), url
        recorder.get(url)
        recorder.get(url, HTTP_RANGE="bytes=0-1")
    forbidden = _forbidden(task2)
    some_id = task2.stimuli.filter(is_practice=False).first().stimulus_id
    assert re.fullmatch(r"s\d{4}-[a-z]+-[a-z]+-(gt|etad|evp)", some_id)
    assert {"Mery", "ETAD", "GT", some_id, some_id + ".mp4"} <= set(forbidden)
    for where, text in recorder.texts + [("urls", "\n".join(recorder.urls))]:
        for word, pattern in forbidden.items():
            assert not pattern.search(text), f"{where} names {word!r}"
    # Emotion words: never in a reply, header or URL; on pages only as answer options.
    emotion_words = [re.compile(rf"(?<![A-Za-z0-9]){re.escape(w)}(?![A-Za-z0-9])")
                     for w in (*EMOTION_LABELS, *EMOTION_LABELS.values())]
    html = dict(recorder.pages)
    for where, text in recorder.texts + [("urls", "\n".join(recorder.urls))]:
        if where not in html:
            assert not any(p.search(text) for p in emotion_words), where
    trial_pages = [text for where, text in recorder.pages if where.endswith("/trial/")]
    assert len(trial_pages) == 3  # the first, and after each of two pauses
    counts = {tuple(len(p.findall(text)) for p in emotion_words) for text in trial_pages}
    assert len(counts) == 1


def test_clip_names_are_random_per_study_not_in_manifest_order(task2, stimuli_root):
    """In manifest order Task 2's clip numbers gave the method (number modulo 3)."""
    def names(study):
        return list(study.stimuli.filter(is_practice=False).order_by("pk")
                    .values_list("url_name", flat=True))

    first = names(task2)
    assert len(set(first)) == len(first) == 126 and first != sorted(first)
    manifest = stimuli_root / task2.stimuli_dir / "manifest.json"
    other = study_build(manifest=manifest, design="task2", slug="t2-again").study
    assert not set(names(other)) & set(first)  # per study: one study's names say nothing of another's
