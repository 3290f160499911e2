"""What an answer must be: its own fields (``answer_clean``), its answers to the
study's questions (``answers_clean``, questions.py), the plays it reports for its
trial's clip or pair (``trial_plays``) and its timing (``watch_shortfall_s``), as
pure functions the answer service applies (services.response_submit).
"""

from __future__ import annotations

import uuid

from django.utils.translation import gettext_lazy

from studyapp.errors import ServiceError
from studyapp.pairs import clips_by_side
from studyapp.questions import PROTOCOL_FIELDS, Question, answers_check, preferences, whole

# An answer may come this much sooner than the clip's length after the trial was
# shown: manifest durations are rounded, and a browser may report 'ended' a frame
# or two early. Far below any clip's length, so a clip played at double speed
# (playbackRate) or skipped is still refused.
WATCH_TOLERANCE_S = 0.3
WATCH_FIRST = gettext_lazy("Please watch the clip to its end, at its normal speed, before "
                           "answering. Play it again, then send your answers.")
WATCH_BOTH_FIRST = gettext_lazy("Please watch both clips to their end, at their normal speed, "
                                "before answering. Play them again, then send your answers.")


class TooFast(ServiceError):
    """An answer sooner than the clip (both clips of a pair) could have been watched
    (require_full_playback): the page asks for the clips to be played again."""

    code = "watch"

    def __init__(self, pair: bool = False):
        super().__init__(WATCH_BOTH_FIRST if pair else WATCH_FIRST, status=400)


def watch_shortfall_s(duration_s: float | None, shown_at, now,
                      tolerance_s: float = WATCH_TOLERANCE_S) -> float:
    """Seconds by which an answer at ``now`` comes too soon to have watched a clip of
    ``duration_s`` shown at ``shown_at`` (0: soon enough).

    A trial never shown (``shown_at`` None) could not have been watched: the
    whole duration is missing. A clip of unknown length cannot be timed (0).
    """
    if not duration_s:
        return 0.0
    if shown_at is None:
        return float(duration_s)
    watched = (now - shown_at).total_seconds()
    return max(0.0, float(duration_s) - tolerance_s - watched)


def answer_clean(data: dict) -> dict:
    """Check the answer request's own fields (key, trial, time, plays; a pair trial's
    plays per side, None when not sent); keep the rest, the question answers, for
    ``answers_clean`` against the study's questions."""
    problems, clean = [], {}
    for name in ("submission_key", "trial_index"):
        if data.get(name) is None or data.get(name) == "":
            problems.append(f"{name} is missing")
    if data.get("submission_key") is not None and not isinstance(data["submission_key"],
                                                                 str | int):
        problems.append("submission_key must be a string")
    if problems:
        raise ServiceError("; ".join(problems) + ".", 400)
    try:
        clean["submission_key"] = uuid.UUID(str(data["submission_key"]))
    except ValueError:
        problems.append("submission_key is not a UUID")
    for name, low, high in (("trial_index", 0, 10**6), ("rt_ms", 0, 3_600_000),
                            ("plays", 0, 1000), ("plays_left", 0, 1000), ("plays_right", 0, 1000)):
        value = data.get(name)
        if value in (None, "") and name != "trial_index":
            clean[name] = 0 if name == "plays" else None
            continue
        if isinstance(value, bool) or not whole(value) or not low <= int(value) <= high:
            problems.append(f"{name} must be a whole number from {low} to {high}, "
                            f"got {str(value)[:40]!r}")
            continue
        clean[name] = int(value)
    if problems:
        raise ServiceError("; ".join(problems) + ".", 400)
    clean["answers"] = {k: v for k, v in data.items() if k not in PROTOCOL_FIELDS}
    return clean


def answers_clean(questions: tuple[Question, ...], answers: dict) -> dict:
    """The answers to ``questions`` (one trial's), each checked by its kind; ServiceError
    naming every unknown field and every bad or missing answer."""
    ids = {q.id for q in questions}
    problems = []
    unknown = sorted(str(k)[:40] for k in answers if k not in ids)
    if unknown:
        problems.append(f"unknown field(s): {', '.join(unknown[:10])}")
    checked = answers_check(questions, answers)
    problems += checked.problems
    if problems:
        raise ServiceError("; ".join(problems) + ".", 400)
    return checked.values


def trial_plays(trial, clean: dict, questions: tuple[Question, ...]) -> tuple[int, ...]:
    """The plays an answer reports for its trial's clips: (plays,) for one clip, (plays of
    a, plays of b) for a pair, from the sides the page reports (``plays_left``,
    ``plays_right``). A pair's answer must report both sides and a single clip's neither,
    and preference questions need a pair (ServiceError, 400)."""
    sides = (clean["plays_left"], clean["plays_right"])
    if not trial.is_pair:
        if sides != (None, None):
            raise ServiceError("plays_left and plays_right are for a pair trial; this trial "
                               "shows one clip (send plays).", 400)
        if preferences(questions):
            raise ServiceError(f"trial {trial.index} shows one clip: there is no pair to "
                               "prefer a clip of.", 400)
        return (clean["plays"],)
    if None in sides:
        raise ServiceError("a pair trial's answer reports the plays of both clips "
                           "(plays_left and plays_right).", 400)
    plays = dict(zip(clips_by_side(trial.left).values(), sides, strict=True))
    return plays["a"], plays["b"]
