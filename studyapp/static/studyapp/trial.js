// Trials: play the clip, take the answers to the study's questions (the paper's four,
// or the study's own: choice, scale, slider, text; mouse, touch or keyboard),
// and send them once, retrying on network failure with the same key so the
// server stores the answer exactly once (docs/design.md, nothing lost). The
// reply carries the next trial, shown in place without loading a page (one
// request per trial instead of two); a reload shows the trial the server holds.
(function () {
  "use strict";
  const cfg = JSON.parse(document.getElementById("trial-config").textContent);
  const video = document.getElementById("clip");
  const playButton = document.getElementById("play");
  const playHint = document.getElementById("play-hint");
  const form = document.getElementById("answers");
  const submit = document.getElementById("submit");
  const submitHint = document.getElementById("submit-hint");
  const status = document.getElementById("status");
  const questions = Array.from(form.querySelectorAll(".question"));
  const say = (key, values) => cfg.messages[key].replace(/\{(\w+)\}/g, (_, name) => values[name]);
  let trial = cfg.trial;
  let state = freshState();

  function freshState() {
    return { plays: 0, endedAt: null, playedThrough: false, active: 0, sending: false };
  }

  function show(next) {
    // The next trial, in place: clip, preload, progress, banners, empty answers.
    trial = next;
    state = freshState();
    form.reset();
    questions.forEach((q) => { delete q.dataset.touched; });
    video.src = next.clipUrl;
    if (next.posterUrl) video.poster = next.posterUrl; else video.removeAttribute("poster");
    const preload = document.getElementById("preload");
    if (next.nextClipUrl) preload.src = next.nextClipUrl; else preload.removeAttribute("src");
    document.getElementById("progress").textContent = next.isPractice ? cfg.messages.practice
      : say("trialOf", { n: next.trialIndex, total: cfg.nMeasured });
    const bar = document.getElementById("progress-bar");
    bar.hidden = next.isPractice;
    bar.value = next.trialIndex - 1;
    document.getElementById("practice-banner").hidden = !next.isPractice;
    document.getElementById("attention-check").hidden = !next.check;
    if (next.check) {
      document.getElementById("check-emotion").textContent = next.check.emotion;
      document.getElementById("check-intensity").textContent = next.check.intensity;
    }
    playButton.innerHTML = `&#9654; ${cfg.messages.play} <kbd>Space</kbd>`;
    playButton.hidden = false;
    playHint.hidden = true;
    status.textContent = "";
    status.className = "status";
    window.scrollTo(0, 0);
    refresh();
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

  function refresh() {
    const allAnswered = questions.every(answered);
    const watched = state.playedThrough || !cfg.requireFullPlayback;
    submit.disabled = state.sending || !(allAnswered && watched);
    submitHint.hidden = !submit.disabled || state.sending;
    submitHint.textContent = !watched ? cfg.messages.watchFirst : cfg.messages.answerAll;
    questions.forEach((q, i) => q.classList.toggle("active", i === state.active));
  }

  function play() {
    playHint.hidden = true;
    video.currentTime = 0;
    const started = video.play();
    if (started && started.catch) {
      started.then(() => { state.plays += 1; playButton.hidden = true; }).catch(() => {
        // Autoplay policy or a decoding hiccup: offer tap-to-play, never freeze.
        playButton.hidden = false;
        playHint.hidden = false;
      });
    } else {
      state.plays += 1;
      playButton.hidden = true;
    }
  }

  video.addEventListener("ended", () => {
    // Counted where playback starts; a clip that ended was certainly played.
    state.plays = Math.max(state.plays, 1);
    state.playedThrough = true;
    state.endedAt = performance.now();
    playButton.innerHTML = `&#8635; ${cfg.messages.replay} <kbd>Space</kbd>`;
    playButton.hidden = false;
    refresh();
  });
  playButton.addEventListener("click", play);
  video.addEventListener("click", () => { if (video.paused) play(); });

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
    if (event.key === " " || event.code === "Space") {
      event.preventDefault();
      play();
    } else if (event.key === "Enter") {
      event.preventDefault();
      if (!submit.disabled) form.requestSubmit();
    } else if (/^[1-9]$/.test(event.key)) {
      const q = questions[state.active];
      const input = q && q.querySelectorAll("input[type=radio]")[Number(event.key) - 1];
      if (input) {
        event.preventDefault();
        input.checked = true;
        q.dispatchEvent(new Event("change", { bubbles: true }));
      }
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
      state.playedThrough = false;
      playButton.hidden = false;
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
      plays: state.plays,
    };
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
