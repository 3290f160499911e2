"""The simulated participants of a load run: each one's path through a study over HTTP.

A participant does what a browser with the study's pages does, via nginx: the
study link (where nginx may hold newcomers for a while), the page's static
files, consent, questionnaire, instructions, the trial page, then for each
trial its clip (a Range request nginx answers) and, ~``--interval`` s after the
trial appeared, the answer (JSON, X-CSRFToken), whose reply carries the next
trial as trial.js shows it in place (the trial page is loaded again only after
a pause). As trial.js does, an answer that got no reply or a 5xx is resent with
the same submission key after 1, 2, 4 ... s (at most 30 s); pages are retried
the same way. Answers are random but valid; the server refuses one sent sooner
than its clip's length after the trial was shown, which ``--interval`` (2 s
against 0.48 s clips) keeps clear of.
"""

from __future__ import annotations

import asyncio
import json
import random
import re
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field

import httpx2 as httpx

from benchmarks.load_study import lite_http
from contract import RESPONSES
from deploy.run_local import HOST

TRANSPORT_ERRORS = (httpx.TransportError, lite_http.TransportError)

SLUG = "bench"
CONFIG = re.compile(r'<script id="trial-config" type="application/json">(.*?)</script>', re.S)
WAITING_PAGE_COUNTS_MS = 1000.0  # a waiting page this soon counts as arrived (issue 18)
ARRIVAL_TIMEOUT_S = 120.0  # the study link: nginx paces arrivals (deploy/nginx.py)


class GiveUp(Exception):
    """The run is over (time or request budget) while a request was still failing."""


@dataclass
class Stats:
    requests: Counter = field(default_factory=Counter)     # kind -> count
    errors: Counter = field(default_factory=Counter)       # "kind status" -> count
    answer_ok_ms: list = field(default_factory=list)       # answer attempts answered 200
    answer_ok_at: list = field(default_factory=list)       # ... and when (s into the run)
    arrival_ms: list = field(default_factory=list)         # the study link, to the consent page
    # ... to the moment the participant was told where they are: the consent page, or
    # a waiting page that came within WAITING_PAGE_COUNTS_MS (issue 18's measure)
    arrived_ms: list = field(default_factory=list)
    total: int = 0
    answers_resent: int = 0                                # answers that needed a resend


@dataclass
class Participant:
    number: int
    client: lite_http.LiteClient | httpx.AsyncClient
    code: str = ""
    acked: dict = field(default_factory=dict)       # trial_index -> submission key (200 seen)
    unacked: dict = field(default_factory=dict)     # trial_index -> key, gave up before a 200
    keys: dict = field(default_factory=dict)        # trial_index -> the one key used
    stored: set = field(default_factory=set)        # trial indices the database holds
    in_trials_at: float | None = None               # s into the run: past the instructions
    page: dict | None = None                        # the trial page's config (answer URL, CSRF)
    shown: dict | None = None                       # the trial on screen (None: load the page)
    done: bool = False
    failed: str = ""


class Crowd:
    """The participants' side of one run, on one clock: their requests (counted and
    timed in ``stats``), when to stop, and the run's events as they happen.

    No new trial after ``stop_trials``; no more retries after ``hard_stop``, which
    also comes once ``--max-requests`` requests were sent.
    """

    def __init__(self, args, url: str):
        self.args, self.url = args, url
        assert url.startswith(f"http://{HOST}:"), url  # never anywhere but 127.0.0.1
        self.stats = Stats()
        self.start = time.monotonic()
        self.stop_trials = asyncio.Event()
        self.hard_stop = asyncio.Event()
        self.events: list[tuple[float, str]] = []

    def elapsed(self) -> float:
        return time.monotonic() - self.start

    def note(self, what: str) -> None:
        self.events.append((self.elapsed(), what))

    def client(self):
        """One participant's browser: its own connection(s) and cookie jar."""
        if self.args.client == "httpx2":
            limits = httpx.Limits(max_connections=6, max_keepalive_connections=6)  # a browser's
            return httpx.AsyncClient(base_url=self.url, limits=limits, timeout=self.args.timeout)
        return lite_http.LiteClient(HOST, int(self.url.rsplit(":", 1)[1]), timeout=self.args.timeout)

    # -- one HTTP request, retried as the page does ------------------------
    async def request(self, p: Participant, kind: str, method: str, path: str, *,
                      ok=(200,), **kwargs):
        attempt = 0
        while True:
            if self.stats.total >= self.args.max_requests:
                self.stop_trials.set()
                self.hard_stop.set()
            if self.hard_stop.is_set():
                raise GiveUp(kind)
            self.stats.total += 1
            self.stats.requests[kind] += 1
            began = time.perf_counter()
            try:
                reply = await p.client.request(method, path, **kwargs)
                status = reply.status_code
            except TRANSPORT_ERRORS as exc:
                reply, status = None, type(exc).__name__
            ms = (time.perf_counter() - began) * 1000
            if reply is not None and status in ok:
                if kind == "answer":
                    self.stats.answer_ok_ms.append(ms)
                    self.stats.answer_ok_at.append(self.elapsed())
                return reply
            self.stats.errors[f"{kind} {status}"] += 1
            if kind == "answer" and attempt == 0:
                self.stats.answers_resent += 1
            if reply is not None and status < 500:
                raise AssertionError(f"{method} {path}: HTTP {status}: {reply.text[:200]}")
            wait = min(30, 2 ** attempt)  # trial.js: 1, 2, 4 ... 30 s
            attempt += 1
            try:
                await asyncio.wait_for(self.hard_stop.wait(), wait)
            except TimeoutError:
                pass

    def csrf(self, p: Participant) -> str:
        return p.client.cookies.get("csrftoken", "")

    async def form(self, p: Participant, kind: str, page: str, data: dict):
        return await self.request(p, kind, "POST", f"/s/{SLUG}/{page}",
                                  data={**data, "csrfmiddlewaretoken": self.csrf(p)},
                                  headers={"Origin": self.url}, follow_redirects=True)

    async def arrive(self, p: Participant, rng: random.Random):
        """The study link as a browser takes it: nginx holds a newcomer a few seconds at
        most, then answers with its waiting page (503, "You are in line"), whose script
        reloads the link after 2-5 s. The arrival time runs from the first click to the
        page the app sends (the information sheet with the consent form, which the link
        itself shows)."""
        began = time.perf_counter()
        told = None  # ms to a waiting page that said "in line" soon enough
        while True:
            page = await self.request(p, "enrol", "GET", f"/s/{SLUG}/", ok=(200, 503),
                                      follow_redirects=True,
                                      timeout=max(self.args.timeout, ARRIVAL_TIMEOUT_S))
            ms = (time.perf_counter() - began) * 1000
            if page.status_code == 200:
                self.stats.arrival_ms.append(ms)
                self.stats.arrived_ms.append(ms if told is None else told)
                return page
            if "You are in line" not in page.text:
                raise AssertionError(f"study link: HTTP 503 without the waiting page: {page.text[:200]}")
            if told is None and ms <= WAITING_PAGE_COUNTS_MS:
                told = ms
            self.stats.requests["waiting page"] += 1
            await asyncio.sleep(rng.uniform(2, 5))

    # -- one participant ------------------------------------------------------
    async def take_part(self, p: Participant) -> None:
        """Arrive within --ramp s, go through the pages before the trials, then answer
        trials until the run stops them. Failures end up in ``p.failed``."""
        rng = random.Random(p.number)
        await asyncio.sleep(rng.uniform(0, self.args.ramp))
        try:
            page = await self.arrive(p, rng)
            for asset in ("studyapp/study.css", "studyapp/trial.js", "studyapp/screening.js"):
                await self.request(p, "static", "GET", f"/static/{asset}")
            if _path(page) == f"/s/{SLUG}/":  # the study link shows the information sheet
                page = await self.form(p, "consent", "consent/", {"consent": "yes"})
            if _path(page).endswith("/about-you/"):
                page = await self.form(p, "about_you", "about-you/",
                                       {"age": rng.randint(18, 70),
                                        "gender": rng.choice(["female", "male"])})
            if _path(page).endswith("/instructions/"):
                page = await self.form(p, "instructions", "instructions/", {})
            p.in_trials_at = self.elapsed()
            while not self.stop_trials.is_set():
                if not await self.trial(p, rng):
                    break
        except GiveUp:
            pass
        except (AssertionError, KeyError, ValueError, *TRANSPORT_ERRORS) as exc:
            p.failed = f"{type(exc).__name__}: {exc}"[:300]

    async def trial(self, p: Participant, rng: random.Random) -> bool:
        """One trial: clip, think, answer. False when the participant is done.

        As trial.js does, the trial page is loaded only when a run of trials
        starts (after the instructions or a pause); then each answer's reply
        carries the next trial, which the page shows in place.
        """
        began = time.monotonic()
        if p.shown is None:
            page = await self.request(p, "trial_page", "GET", f"/s/{SLUG}/trial/",
                                      follow_redirects=True)
            if _path(page).endswith("/done/"):
                p.done = True
                return False
            if _path(page).endswith("/pause/"):
                await self.form(p, "pause", "pause/", {})
                return True
            match = CONFIG.search(page.text)
            if match is None:
                raise AssertionError(f"no trial config at {_path(page)}")
            p.page = json.loads(match.group(1))
            p.shown = p.page["trial"]
        config, shown = p.page, p.shown
        p.code = shown["storageKey"].split(":")[2]
        if not self.args.no_clips:
            # A browser's first request for a video: nginx answers 206 (X-Accel-Redirect).
            await self.request(p, "clip", "GET", shown["clipUrl"], ok=(200, 206),
                               headers={"Range": "bytes=0-"})
        index = shown["trialIndex"]
        key = p.keys.setdefault(index, str(uuid.uuid4()))  # one key per trial, every resend
        body = {"submission_key": key, "trial_index": index,
                "response_emotion": rng.choice(RESPONSES),
                "intensity": rng.randint(1, 7), "sync": rng.randint(1, 7),
                "naturalness": rng.randint(1, 7), "rt_ms": rng.randint(300, 3000), "plays": 1}
        think = self.args.interval * rng.uniform(0.75, 1.25) - (time.monotonic() - began)
        if think > 0:
            await asyncio.sleep(think)
        try:
            reply = await self.request(
                p, "answer", "POST", config["answerUrl"], json=body,
                headers={"X-CSRFToken": config["csrfToken"], "Origin": self.url})
        except GiveUp:
            p.unacked[index] = key
            raise
        answer = reply.json()
        if answer.get("ok") is not True:
            raise AssertionError(f"answer to trial {index}: {reply.text[:200]}")
        p.acked[index] = key
        p.shown = answer.get("trial")  # None: a pause or the end, which are pages
        return True

    async def resume_check(self, p: Participant) -> str:
        """'' when the study link brings the participant to the trial after their last answer
        (through the waiting page when everyone comes back at once, as a browser would)."""
        rng = random.Random(p.number)
        deadline = time.monotonic() + ARRIVAL_TIMEOUT_S
        while True:
            try:
                page = await p.client.request("GET", f"/s/{SLUG}/", follow_redirects=True)
            except TRANSPORT_ERRORS as exc:
                return f"{type(exc).__name__}"
            if page.status_code != 503 or time.monotonic() > deadline:
                break
            await asyncio.sleep(rng.uniform(2, 5))
        stored_next = (max(p.stored) + 1) if p.stored else 0
        if _path(page).endswith("/done/"):
            return "" if p.done else "at the completion page too early"
        match = CONFIG.search(page.text)
        if page.status_code != 200 or match is None:
            return f"landed on {_path(page)} ({page.status_code})"
        index = json.loads(match.group(1))["trial"]["trialIndex"]
        return "" if index == stored_next else f"on trial {index}, stored says {stored_next}"


def _path(reply) -> str:
    """The path a (redirected) request ended at, for either client."""
    return reply.path if isinstance(reply, lite_http.Reply) else reply.url.path
