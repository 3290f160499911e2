"""Bot participants: a rehearsal of the real HTTP flow before recruiting (as oTree's bots).

Each bot opens a rehearsal link signed with the server's secret (links.py), so
it is enrolled as a bot from the start (balanced among bots, never taking a real
participant's place, and exempt from the watch-time rule so a rehearsal takes
seconds), and goes through consent, the questionnaire,
the instructions, every trial (and pause) to the completion page, with
Django's test client and CSRF checks on. On the way it checks that the server
shows the page it expects and that invalid submissions are refused with a
4xx. ``accurate`` bots answer the intended emotion with a set probability and
give ratings around set means per method, so the export shows clear effects.
``observer`` bots answer from each clip's own measures (the manifest's
``measures``, written by the generator): an observer pilot, whose limits the
README states ("An observer pilot"). On a pairs study they answer each
preference question for the clip whose quality on that question is higher,
with noise (``preference_choose``): accurate bots by the method profiles below
(GT >= ETAD > EVP), observers by the clips' measures.
"""

from __future__ import annotations

import json
import math
import random
import re
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.test import Client
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext

from contract import NO_PREFERENCE, RESPONSES
from studyapp.languages import language_pick
from studyapp.links import bot_param
from studyapp.models import Participant, Study, Trial
from studyapp.pairs import clips_by_side
from studyapp.questions import PAPER, Question, localized, preferences, question_set


class BotError(AssertionError):
    """The server did not behave as a participant needs it to."""


@dataclass(frozen=True)
class Profile:
    """How an accurate bot answers one kind of clip: P(correct) and mean ratings."""

    p_correct: float
    intensity: float
    sync: float
    naturalness: float


# Rough orderings as in the paper's results (5.1.5-5.1.6): GT >= ETAD > EVP,
# the human face most recognisable and most natural.
PROFILES = {
    "GT": Profile(0.85, 5.4, 5.6, 5.1), "ETAD": Profile(0.80, 5.1, 5.3, 4.8),
    "EVP": Profile(0.50, 4.0, 3.8, 3.7), "Human": Profile(0.90, 5.6, 5.8, 6.0),
}
DEFAULT = Profile(0.75, 5.0, 5.0, 4.6)
#: How bots answer (module docstring): run_bots and rehearse offer the same choice.
MODES = ("random", "accurate", "observer")
CONFIG = re.compile(r'<script id="trial-config" type="application/json">(.*?)</script>', re.S)


#: Observer bots (mode ``observer``): the softmax temperature over the expression
#: distances (rig units; the demo's GT clips have margins of 0.85-1.85 between the
#: nearest and second-nearest emotion: at 0.3, a clip whose six rivals are all 1.2
#: further away is named right 90 % of the time, one with rivals 0.1 further 19 %),
#: and the measures at which a rating reaches the top of its scale. None is fitted
#: to people.
OBSERVER_TEMPERATURE = 0.3
OBSERVER_SYNC_R_TOP = 0.8      # sync r giving a sync rating of 7 (r <= 0 gives 1)
OBSERVER_JITTER_SCALE = 0.03   # jitter at which smoothness has fallen to 1/e
OBSERVER_INTENSITY_SCALE = 0.8  # distance from neutral at which intensity is 1 - 1/e
OBSERVER_KEYS = ("expression_distance", "sync_r", "jitter")


@dataclass(frozen=True)
class Observer:
    """One observer bot: its own softmax temperature (higher: vaguer), the noise of
    its ratings (SD in scale points) and its bias (added to every rating)."""

    temperature: float
    noise: float
    bias: float


def observer_draw(rng: random.Random, bias: float) -> Observer:
    """A bot's observer traits: a temperature log-normal around OBSERVER_TEMPERATURE
    (SD 0.3 in logs), rating noise uniform in 0.6-1.2 points, and the bot's rating
    level ``bias``."""
    return Observer(temperature=OBSERVER_TEMPERATURE * math.exp(rng.gauss(0, 0.3)),
                    noise=rng.uniform(0.6, 1.2), bias=bias)


def observer_probabilities(distances: dict[str, float], temperature: float) -> dict[str, float]:
    """P(naming each emotion): softmax over -distance / temperature, so the nearer an
    emotion's pose, and the clearer the margin, the likelier it is named."""
    nearest = min(distances.values())
    weights = {e: math.exp(-(d - nearest) / temperature) for e, d in distances.items()}
    total = sum(weights.values())
    return {e: w / total for e, w in weights.items()}


def observer_levels(measures: dict) -> dict[str, float]:
    """Where a clip's measures put each rating, 0..1 (1 at the top of the scale):
    intensity from the expression's distance from neutral, sync from the sync r,
    naturalness from the mean of smoothness (exp(-jitter / scale)) and sync."""
    sync = min(1.0, max(0.0, measures["sync_r"] / OBSERVER_SYNC_R_TOP))
    smooth = math.exp(-max(0.0, measures["jitter"]) / OBSERVER_JITTER_SCALE)
    strength = measures["expression_distance"].get("neutral", 0.0)
    return {"intensity": 1 - math.exp(-strength / OBSERVER_INTENSITY_SCALE), "sync": sync,
            "naturalness": (smooth + sync) / 2}


def observer_answers(measures: dict, rng: random.Random, observer: Observer) -> dict:
    """An observer bot's four answers from a clip's measures."""
    probabilities = observer_probabilities(measures["expression_distance"],
                                           observer.temperature)
    emotion = rng.choices(list(probabilities), weights=list(probabilities.values()))[0]
    levels = observer_levels(measures)
    return {"response_emotion": emotion,
            **{k: min(7, max(1, round(rng.gauss(1 + 6 * level + observer.bias, observer.noise))))
               for k, level in levels.items()}}


#: Pairs: which quality of a clip each preference question weighs (by question id; any
#: other preference question weighs naturalness), each on 0..1 (``clip_qualities``).
PREFERENCE_ASPECTS = {"lip_sync": "sync", "naturalness": "naturalness", "expression": "expression"}
#: The SD of an accurate bot's noise on a quality difference: two clips 0.15 apart (about
#: one rating point) are told apart 84 % of the time; 0.3 apart (GT's and EVP's sync
#: profiles), 98 %. An observer's is its rating noise in the same units (noise / 6).
PREFERENCE_NOISE = 0.15
#: A noisy difference this small is "no preference" where the question offers it: clips
#: of equal quality (the same clip twice) get it 26 % of the time at PREFERENCE_NOISE.
NO_PREFERENCE_BAND = 0.05


def clip_qualities(factors: dict, measures: dict | None, mode: str,
                   observer: Observer | None) -> dict[str, float]:
    """A clip's quality on each preference aspect, 0..1: an accurate bot's from the
    method's profile (sync and naturalness ratings scaled, expression as P(correct)); an
    observer's from the measures (observer_levels, and expression as the probability of
    naming the clip's intended emotion, else its clarity)."""
    if mode == "observer":
        levels = observer_levels(measures)
        named = observer_probabilities(measures["expression_distance"], observer.temperature)
        expression = named.get(factors.get("emotion"), measures.get("expression_clarity", 0.0))
        return {"sync": levels["sync"], "naturalness": levels["naturalness"],
                "expression": expression}
    profile = _profile(factors)
    return {"sync": (profile.sync - 1) / 6, "naturalness": (profile.naturalness - 1) / 6,
            "expression": profile.p_correct}


def preference_choose(quality_a: float, quality_b: float, rng: random.Random, *,
                      none: bool, noise: float = PREFERENCE_NOISE) -> str:
    """Clip "a" or "b", whichever is better after Gaussian noise on the difference, or
    NO_PREFERENCE (where ``none`` is offered) when the noisy difference is within
    NO_PREFERENCE_BAND: a Thurstone-style comparison."""
    difference = quality_a - quality_b + rng.gauss(0, noise)
    if none and abs(difference) < NO_PREFERENCE_BAND:
        return NO_PREFERENCE
    return "a" if difference > 0 else "b"


def pair_answers_choose(questions: tuple[Question, ...], clips: tuple[tuple[dict, dict], ...],
                        rng: random.Random, mode: str, offset: float,
                        observer: Observer | None = None) -> dict:
    """A bot's answers on a pair trial: each preference question as "a", "b" or
    NO_PREFERENCE (``random``: any of the offered answers; else ``preference_choose`` on
    the clips' qualities), the study's other questions as for clip a (answers_choose).
    ``clips`` is ((factors, measures) of a, (factors, measures) of b)."""
    asked = preferences(questions)
    answers = answers_choose(tuple(q for q in questions if q not in asked), clips[0][0], rng,
                             mode, offset) if len(asked) < len(questions) else {}
    if mode != "random":
        a, b = (clip_qualities(factors, measures, mode, observer) for factors, measures in clips)
    noise = observer.noise / 6 if observer else PREFERENCE_NOISE
    for q in asked:
        if mode == "random":
            answers[q.id] = rng.choice(("a", "b") + ((NO_PREFERENCE,) if q.none else ()))
            continue
        aspect = PREFERENCE_ASPECTS.get(q.id, "naturalness")
        answers[q.id] = preference_choose(a[aspect], b[aspect], rng, none=q.none, noise=noise)
    return answers


def rehearsal_refusal(study: Study, n: int, mode: str) -> str:
    """Why ``n`` bots answering in ``mode`` cannot rehearse ``study`` ("" when they can);
    run_bots and rehearse ask it before anything runs."""
    if not study.is_open:
        return f"study {study.slug!r} is closed: open it in the admin to rehearse."
    if n < 1:
        return "the number of bots must be at least 1."
    return observer_refusal(study) if mode == "observer" else ""


def observer_refusal(study: Study) -> str:
    """Why observer bots cannot rehearse ``study`` ("" when they can): they answer the
    paper's four questions, or a pairs study's preference questions, from measures
    every clip must have."""
    own = study.questions and not (study.is_pairs and all(
        q["kind"] == "preference" for q in study.questions))
    if own:
        return (f"study {study.slug!r} asks its own questions; observer bots answer the "
                "paper's four (or a pairs study's preference questions) only: use --answers "
                "accurate or random.")
    lacking = [s.stimulus_id for s in study.stimuli.all()
               if not all(k in (s.measures or {}) for k in OBSERVER_KEYS)]
    if lacking:
        return (f"{len(lacking)} clip(s) of study {study.slug!r} have no measures in the "
                f"manifest (first: {lacking[0]}); observer bots answer from them. Sets made by "
                "`generator stimuli task1|task2|demo` have them, imported clips do not: use "
                "--answers accurate or random.")
    return ""


def answer_choose(factors: dict, rng: random.Random, mode: str, offset: float,
                  measures: dict | None = None, observer: Observer | None = None) -> dict:
    """The four answers a bot gives for a clip with these factors (and, for an
    ``observer`` bot, these measures)."""
    if mode == "observer":
        if not measures:
            raise ValueError("observer bots answer from the clip's measures; it has none "
                             "(observer_refusal says so before a rehearsal)")
        return observer_answers(measures, rng, observer or observer_draw(rng, offset))
    if mode == "random":
        return {"response_emotion": rng.choice(RESPONSES),
                **{k: rng.randint(1, 7) for k in ("intensity", "sync", "naturalness")}}
    profile = _profile(factors)
    intended = factors.get("emotion")
    if rng.random() < profile.p_correct:
        emotion = intended
    else:
        emotion = rng.choice([e for e in RESPONSES if e != intended])

    def rating(mean: float) -> int:
        return min(7, max(1, round(rng.gauss(mean + offset, 1.0))))

    return {"response_emotion": emotion, "intensity": rating(profile.intensity),
            "sync": rating(profile.sync), "naturalness": rating(profile.naturalness)}


def _profile(factors: dict) -> Profile:
    return PROFILES.get(factors.get("method")) or PROFILES.get(factors.get("character"), DEFAULT)


def answers_choose(questions: tuple[Question, ...], factors: dict, rng: random.Random,
                   mode: str, offset: float, measures: dict | None = None,
                   observer: Observer | None = None) -> dict:
    """A bot's answers to any question set: the paper's by ``answer_choose``; a study's
    own with ``accurate`` bots scoring choice questions by their ``correct_factor`` and
    placing ratings by the clip's naturalness profile (scaled to each scale or slider).
    Observer bots answer the paper's questions only (``observer_refusal``)."""
    if questions == PAPER:
        return answer_choose(factors, rng, mode, offset, measures, observer)
    if mode == "observer":
        raise ValueError("observer bots answer the paper's four questions only")
    accurate, profile, answers = mode == "accurate", _profile(factors), {}
    level = (profile.naturalness + offset - 1) / 6  # 0..1, as a 1..7 rating would be
    for q in questions:
        if q.kind == "choice":
            codes = [code for code, _ in q.choices]
            intended = str(factors.get(q.correct_factor, "")) if q.correct_factor else ""
            right = accurate and intended in codes and rng.random() < profile.p_correct
            answers[q.id] = intended if right else rng.choice(codes)
        elif q.kind == "scale":
            mean = 1 + level * (q.points - 1) if accurate else rng.uniform(1, q.points)
            answers[q.id] = min(q.points, max(1, round(rng.gauss(mean, 0.8))))
        elif q.kind == "slider":
            mean = 100 * level if accurate else rng.uniform(0, 100)
            answers[q.id] = min(100, max(0, round(rng.gauss(mean, 12))))
        elif q.required or rng.random() < 0.3:
            answers[q.id] = rng.choice(("looked fine", "the mouth lagged", "odd blink"))[
                :q.max_length]
    return answers


class Bot:
    """One simulated participant speaking the participant protocol over HTTP."""

    def __init__(self, slug: str, *, mode: str, seed: int, check_invalid: bool = True):
        self.slug, self.mode, self.check_invalid = slug, mode, check_invalid
        self.rng = random.Random(seed)
        self.offset = self.rng.gauss(0, 0.5)   # this participant's own rating level
        # Drawn only for observers, so other modes' answers stay those of their seed.
        self.observer = observer_draw(self.rng, self.offset) if mode == "observer" else None
        host = next((h for h in settings.ALLOWED_HOSTS if "*" not in h and not h.startswith(".")),
                    "testserver")
        self.client = Client(enforce_csrf_checks=True, HTTP_HOST=host)
        self.secure = bool(getattr(settings, "SECURE_SSL_REDIRECT", False))
        self.participant: Participant | None = None
        self.language = "en"  # the pages' language, known once the study is read (run)

    # -- protocol helpers -------------------------------------------------
    def _get(self, page: str, expect: str):
        """GET ``page`` and check it shows ``expect`` (a source text: the bot reads the page
        in the participant's language, as a person would)."""
        with translation.override(self.language):
            expect = escape(gettext(expect))
        response = self.client.get(f"/s/{self.slug}/{page}", secure=self.secure, follow=True)
        if response.status_code != 200 or expect.encode() not in response.content:
            raise BotError(f"GET {page or 'study link'}: expected a page with {expect!r}, "
                           f"got {response.status_code} at {response.request['PATH_INFO']}")
        return response

    def _csrf(self) -> str:
        return self.client.cookies["csrftoken"].value

    def _post(self, page: str, data: dict):
        return self.client.post(f"/s/{self.slug}/{page}", {**data,
                                "csrfmiddlewaretoken": self._csrf()}, secure=self.secure)

    def _answer(self, body: dict):
        return self.client.post(f"/s/{self.slug}/answer/", json.dumps(body),
                                content_type="application/json", HTTP_X_CSRFTOKEN=self._csrf(),
                                secure=self.secure)

    def _require(self, response, status: int | tuple, what: str):
        wanted = status if isinstance(status, tuple) else (status,)
        if response.status_code not in wanted:
            raise BotError(f"{what}: expected HTTP {status}, got {response.status_code}")

    # -- the run ----------------------------------------------------------
    def run(self) -> Participant:
        study = Study.objects.get(slug=self.slug)
        self.language = language_pick(study.language)  # a client without Accept-Language
        self._get(f"?bot={bot_param(study)}", "Information sheet")
        if self.check_invalid:
            page = self._post("consent/", {})
            self._require(page, 200, "consent without a choice is shown again")
        self._require(self._post("consent/", {"consent": "yes"}), 302, "consent")
        pk = self.client.session[f"participant:{self.slug}"]  # enrolled by consenting
        self.participant = Participant.objects.get(pk=pk)
        if not self.participant.is_bot:
            raise BotError("the rehearsal link did not enrol a bot")
        self._get("about-you/", "About you")
        if self.check_invalid:
            self._require(self._post("about-you/", {"age": "-3", "gender": "x"}), 200,
                          "invalid age is shown again")
        self._require(self._post("about-you/", {"age": self.rng.randint(18, 60),
                                                "gender": self.rng.choice(["female", "male"])}),
                      302, "questionnaire")
        self._get("instructions/", "Instructions")
        self._require(self._post("instructions/", {}), 302, "instructions")
        shown = None  # the trial on screen, from the trial page or the last answer's reply
        while True:
            self.participant.refresh_from_db()
            stage = self.participant.stage
            if stage == Participant.Stage.DONE:
                break
            if stage == Participant.Stage.PAUSE:
                self._get("pause/", "Time for a short break")
                self._require(self._post("pause/", {}), 302, "continue after a break")
                continue
            shown = self._trial(shown)
        done = self._get("done/", "Thank you!")
        if self.participant.study.completion_code.encode() not in done.content:
            raise BotError("the completion page does not show the completion code")
        return self.participant

    def _answer_fields(self, trial: Trial, questions: tuple[Question, ...]) -> dict:
        """The answer to a one-clip trial: the questions' answers and the clip's plays."""
        if trial.check_answer:
            answers = {"response_emotion": trial.check_answer["response_emotion"],
                       "intensity": trial.check_answer["intensity"], "sync": 4, "naturalness": 4}
        else:
            answers = answers_choose(questions, trial.stimulus.factors, self.rng, self.mode,
                                     self.offset, trial.stimulus.measures, self.observer)
        return {**answers, "plays": 1}

    def _pair_answer(self, trial: Trial, questions: tuple[Question, ...]) -> dict:
        """The answer to a pair trial as its page sends it: each preference by the side the
        chosen clip is on (left/right, or none), and the plays of each side. A catch pair
        (one clip twice) gets "no preference" to every preference question."""
        clips = tuple((s.factors, s.measures) for s in (trial.stimulus, trial.stimulus_b))
        answers = pair_answers_choose(questions, clips, self.rng, self.mode, self.offset,
                                      self.observer)
        side = {clip: shown for shown, clip in clips_by_side(trial.left).items()}
        side[NO_PREFERENCE] = NO_PREFERENCE
        for q in preferences(questions):
            chosen = NO_PREFERENCE if trial.check_answer else answers.get(q.id)
            if chosen is not None:
                answers[q.id] = side[chosen]
        return {**answers, "plays_left": 1, "plays_right": 1}

    def _trial(self, shown: dict | None) -> dict | None:
        """Answer the trial on screen (loading the trial page when none is); return the
        next trial the reply carries, as the page shows it in place (None: a new page)."""
        questions = localized(question_set(self.participant.study.questions), self.language)
        if shown is None:
            page = self._get("trial/", questions[0].prompt)
            shown = json.loads(CONFIG.search(page.content.decode()).group(1))["trial"]
        trial = self.participant.trials.select_related("stimulus", "stimulus_b").get(
            index=shown["trialIndex"])
        fields = (self._pair_answer(trial, questions) if trial.is_pair
                  else self._answer_fields(trial, questions))
        body = {"submission_key": str(uuid.uuid4()), "trial_index": shown["trialIndex"],
                "rt_ms": int(self.rng.lognormvariate(7.3, 0.4)), **fields}
        if self.check_invalid and shown["trialIndex"] <= 1:
            self._require(self._answer({**body, "intensity": 9, "submission_key":
                                        str(uuid.uuid4())}), 400, "out-of-range rating refused")
            self._require(self._answer({**body, "trial_index": shown["trialIndex"] + 1,
                                        "submission_key": str(uuid.uuid4())}), (400, 409),
                          "skipping ahead refused")
            if trial.is_pair:
                one_side = {k: v for k, v in body.items() if k != "plays_right"}
                self._require(self._answer({**one_side, "submission_key": str(uuid.uuid4())}),
                              400, "a pair's answer without one clip's plays refused")
                asked = preferences(questions)
                if asked:
                    self._require(self._answer({**body, asked[0].id: "a", "submission_key":
                                                str(uuid.uuid4())}), 400,
                                  "a preference naming a clip instead of a side refused")
        reply = self._answer(body)
        self._require(reply, 200, f"answer to trial {shown['trialIndex']}")
        resent = self._answer(body)
        self._require(resent, 200, "a resend of the same answer")
        following = reply.json().get("trial")
        if resent.json().get("trial") != following:
            raise BotError("a resend of the same answer shows another next trial")
        if following and following["trialIndex"] != shown["trialIndex"] + 1:
            raise BotError(f"after trial {shown['trialIndex']} the reply shows trial "
                           f"{following['trialIndex']}")
        return following


def bots_run(slug: str, *, n: int, mode: str = "random", seed: int = 0,
             progress=None) -> tuple[int, list[str]]:
    """Run ``n`` bots one after another; return (completed, failure messages)."""
    completed, failures = 0, []
    for i in range(n):
        try:
            Bot(slug, mode=mode, seed=seed * 100_003 + i).run()
            completed += 1
        except BotError as exc:
            failures.append(f"bot {i + 1}: {exc}")
        if progress:
            progress(i + 1)
    return completed, failures
