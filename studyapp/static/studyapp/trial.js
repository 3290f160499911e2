// Trials: play the clip, take the answers to the study's questions (the paper's four,
// or the study's own: choice, scale, slider, text, preference; mouse, touch or
// keyboard), and send them once, retrying on network failure with the same key so
// the server stores the answer exactly once (docs/design.md, nothing lost). The
// reply carries the next trial, shown in place without loading a page (one
// request per trial instead of two); a reload shows the trial the server holds.
// A pairs study's trial shows two clips, A (left, on top on a phone) and B, each
// with its own Play; playing one pauses the other, "Play A then B" plays both; the
// answers open once both have played to their end, and go out by side (left/right):
// the page never knows which clip is which condition.
(function () {
  "use strict";
  const cfg = JSON.parse(document.getElementById("trial-config").textContent);
  const byId = (id) => document.getElementById(id);
  const form = byId("answers");
  const submit = byId("submit");
  const submitHint = byId("submit-hint");
  const status = byId("status");
  const playBoth = byId("play-both");
  const questions = Array.from(form.querySelectorAll(".question"));
  const say = (key, values) => cfg.messages[key].replace(/\{(\w+)\}/g, (_, name) => values[name]);
  // One player per clip on screen: a pair's left (A) and right (B) clip, or the one clip.
  const pair = Boolean(byId("clip-right"));
  const players = [player("clip", "play", "play-hint", "label-left", "A")];
  if (pair) players.push(player("clip-right", "play-right", "play-hint-right", "label-right", "B"));
  // Keys that answer a preference question: A, B, N (no preference), or 1, 2, 3.
  const PREFERENCE_KEYS = { a: 0, b: 1, n: 2, 1: 0, 2: 1, 3: 2 };
  let trial = cfg.trial;
  let state = freshState();

  function player(videoId, buttonId, hintId, labelId, name) {
    return { video: byId(videoId), button: byId(buttonId), hint: byId(hintId),
             label: byId(labelId), name, plays: 0, playedThrough: false };
  }

  function freshState() {
    players.forEach((p) => { p.plays = 0; p.playedThrough = false; });
    return { endedAt: null, active: 0, sending: false, sequence: false };
  }

  function buttonLabel(p, again) {
    // The one clip's button names the key; a pair's buttons name their clip.
    const word = again ? `&#8635; ${cfg.messages.replay}` : `&#9654; ${cfg.messages.play}`;
    return pair ? `${word} ${p.name}` : `${word} <kbd>Space</kbd>`;
  }

  function load(p, clipUrl, posterUrl) {
    p.video.src = clipUrl;
    if (posterUrl) p.video.poster = posterUrl; else p.video.removeAttribute("poster");
    p.button.innerHTML = buttonLabel(p, false);
    p.button.hidden = false;
    p.hint.hidden = true;
    if (p.label) p.label.classList.remove("watched");
  }

  function show(next) {
    // The next trial, in place: clip(s), preload, progress, banners, empty answers.
    trial = next;
    state = freshState();
    form.reset();
    questions.forEach((q) => { delete q.dataset.touched; });
    load(players[0], next.clipUrl, next.posterUrl);
    if (pair) load(players[1], next.rightClipUrl, next.rightPosterUrl);
    preload("preload", next.nextClipUrl);
    preload("preload-right", next.nextRightClipUrl);
    byId("progress").textContent = next.isPractice ? cfg.messages.practice
      : say("trialOf", { n: next.trialIndex, total: cfg.nMeasured });
    const bar = byId("progress-bar");
    bar.hidden = next.isPractice;
    bar.value = next.trialIndex - 1;
    byId("practice-banner").hidden = !next.isPractice;
    byId("attention-check").hidden = !next.check;
    if (next.check) {
      byId("check-emotion").textContent = next.check.emotion;
      byId("check-intensity").textContent = next.check.intensity;
    }
    status.textContent = "";
    status.className = "status";
    window.scrollTo(0, 0);
    refresh();
  }

  function preload(id, url) {
    const element = byId(id);
    if (!element) return;
    if (url) element.src = url; else element.removeAttribute("src");
  }

  function submissionKey() {
    // Kept per trial in sessionStorage: a resend after a reload reuses it.
    let key = sessionStorage.getItem(trial.storageKey);
    if (!key) {
      const b = crypto.getRandomValues(new Uint8Array(16));
      b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
      const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
      key = `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
      sessionStorage.setItem(trial.storageKey, key);
    }
    return key;
  }

  function value(q) {
    // A question's answer, or null while it has none (a slider counts once moved).
    const kind = q.dataset.kind;
    if (kind === "slider") return q.dataset.touched ? q.querySelector("input").value : null;
    if (kind === "text") return q.querySelector("input").value.trim() || null;
    const checked = q.querySelector("input:checked");
    return checked ? checked.value : null;
  }

  function answered(q) { return "optional" in q.dataset || value(q) !== null; }

  function watched() {
    return players.every((p) => p.playedThrough) || !cfg.requireFullPlayback;
  }

  function refresh() {
    const allAnswered = questions.every(answered);
    const seen = watched();
    // A pair's answers open only once both clips have played to their end.
    if (pair) questions.forEach((q) => { q.disabled = !seen; });
    submit.disabled = state.sending || !(allAnswered && seen);
    submitHint.hidden = !submit.disabled || state.sending;
    submitHint.textContent = !seen ? cfg.messages[pair ? "watchBothFirst" : "watchFirst"]
      : cfg.messages.answerAll;
    questions.forEach((q, i) => q.classList.toggle("active", i === state.active));
  }

  function play(p, sequence = false) {
    state.sequence = sequence;
    players.forEach((other) => { if (other !== p && !other.video.paused) other.video.pause(); });
    p.hint.hidden = true;
    p.video.currentTime = 0;
    const started = p.video.play();
    if (started && started.catch) {
      started.then(() => { p.plays += 1; p.button.hidden = true; }).catch(() => {
        // Autoplay policy or a decoding hiccup: offer tap-to-play, never freeze.
        p.button.hidden = false;
        p.hint.hidden = false;
      });
    } else {
      p.plays += 1;
      p.button.hidden = true;
    }
  }

  function playInTurn() {
    // "Play A then B" (Space on a pair); the one clip otherwise.
    play(players[0], pair);
  }

  players.forEach((p, i) => {
    p.video.addEventListener("ended", () => {
      // Counted where playback starts; a clip that ended was certainly played.
      p.plays = Math.max(p.plays, 1);
      p.playedThrough = true;
      p.button.innerHTML = buttonLabel(p, true);
      p.button.hidden = false;
      if (p.label) p.label.classList.add("watched");
      // rt_ms runs from the last end by which every clip had played through.
      if (players.every((other) => other.playedThrough)) state.endedAt = performance.now();
      const following = players[i + 1];
      if (state.sequence && following) {
        play(following, false);
      } else {
        state.sequence = false;
      }
      refresh();
    });
    p.video.addEventListener("pause", () => {
      // Paused by the other clip's Play: offer to play it again.
      if (!p.video.ended) p.button.hidden = false;
    });
    p.button.addEventListener("click", () => play(p));
    p.video.addEventListener("click", () => { if (p.video.paused) play(p); });
  });
  if (playBoth) playBoth.addEventListener("click", playInTurn);

  questions.forEach((q, i) => {
    q.addEventListener("change", () => {
      const next = questions.findIndex((other, j) => j > i && !answered(other));
      state.active = next >= 0 ? next : questions.findIndex((other) => !answered(other));
      if (state.active < 0) state.active = i;
      refresh();
    });
    q.addEventListener("input", () => { q.dataset.touched = "1"; refresh(); });
    q.addEventListener("focusin", () => { state.active = i; refresh(); });
  });

  function choose(q, position) {
    // Check the ``position``-th option of ``q`` as if clicked (keyboard answers).
    const input = q && !q.disabled && q.querySelectorAll("input[type=radio]")[position];
    if (!input) return false;
    input.checked = true;
    q.dispatchEvent(new Event("change", { bubbles: true }));
    return true;
  }

  document.addEventListener("keydown", (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    if (event.target.matches && event.target.matches("input[type=text]")) {
      // Typing an answer: keys are letters, only Enter sends.
      if (event.key === "Enter") {
        event.preventDefault();
        if (!submit.disabled) form.requestSubmit();
      }
      return;
    }
    const q = questions[state.active];
    const key = event.key.toLowerCase();
    if (event.key === " " || event.code === "Space") {
      event.preventDefault();
      playInTurn();
    } else if (event.key === "Enter") {
      event.preventDefault();
      if (!submit.disabled) form.requestSubmit();
    } else if (q && q.dataset.kind === "preference" && key in PREFERENCE_KEYS) {
      if (choose(q, PREFERENCE_KEYS[key])) event.preventDefault();
    } else if (/^[1-9]$/.test(event.key)) {
      if (choose(q, Number(event.key) - 1)) event.preventDefault();
    }
  });

  async function send(body, attempt) {
    let response;
    try {
      response = await fetch(cfg.answerUrl, {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": cfg.csrfToken },
        body: JSON.stringify(body),
      });
    } catch (err) {
      const wait = Math.min(30, 2 ** attempt);
      status.textContent = say("offline", { wait, attempt: attempt + 1 });
      status.className = "status warning";
      await new Promise((resolve) => setTimeout(resolve, wait * 1000));
      return send(body, attempt + 1);
    }
    let reply = {};
    try { reply = await response.json(); } catch (err) { reply = {}; }
    if (response.ok) {
      sessionStorage.removeItem(trial.storageKey);
      if (reply.trial) show(reply.trial);
      else window.location.assign(reply.next);  // a pause, or the end
      return;
    }
    if (response.status === 409 && reply.next) {  // the server holds another position
      window.location.assign(reply.next);
      return;
    }
    if (response.status >= 500) {
      const wait = Math.min(30, 2 ** attempt);
      status.textContent = say("serverProblem", { wait });
      status.className = "status warning";
      await new Promise((resolve) => setTimeout(resolve, wait * 1000));
      return send(body, attempt + 1);
    }
    status.textContent = reply.error || say("refused", { status: response.status });
    status.className = "status error";
    if (reply.code === "watch") {
      // The server timed the answer as sooner than the clip's length: watch it again.
      players.forEach((p) => {
        p.playedThrough = false;
        p.button.hidden = false;
        if (p.label) p.label.classList.remove("watched");
      });
    }
    state.sending = false;
    refresh();
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (submit.disabled || state.sending) return;
    state.sending = true;
    status.textContent = cfg.messages.saving;
    status.className = "status";
    refresh();
    const body = {
      submission_key: submissionKey(),
      trial_index: trial.trialIndex,
      rt_ms: state.endedAt === null ? null : Math.round(performance.now() - state.endedAt),
    };
    if (pair) {
      body.plays_left = players[0].plays;
      body.plays_right = players[1].plays;
    } else {
      body.plays = players[0].plays;
    }
    questions.forEach((q) => {
      const answer = value(q);
      if (answer === null) return;  // an optional question left out
      const numeric = q.dataset.kind === "scale" || q.dataset.kind === "slider";
      body[q.dataset.question] = numeric ? Number(answer) : answer;
    });
    send(body, 0);
  });

  refresh();
})();
