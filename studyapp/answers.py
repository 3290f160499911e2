"""What an answer must be: its fields (``answer_clean``) and its timing
(``watch_shortfall_s``), as pure functions the answer service applies
(services.response_submit). The page's four questions are paper 5.1.4.
"""

from __future__ import annotations

import uuid

from contract import RESPONSES
from studyapp.errors import ServiceError

RATING_FIELDS = ("intensity", "sync", "naturalness")
# No stimulus id: the page names a trial by its index alone, and the server
# knows which clip that trial shows (nothing on the page names a condition).
ANSWER_FIELDS = {"submission_key", "trial_index", "response_emotion", *RATING_FIELDS,
                 "rt_ms", "plays"}
# An answer may come this much sooner than the clip's length after the trial was
# shown: manifest durations are rounded, and a browser may report 'ended' a frame
# or two early. Far below any clip's length, so a clip played at double speed
# (playbackRate) or skipped is still refused.
WATCH_TOLERANCE_S = 0.3
WATCH_FIRST = ("Please watch the clip to its end, at its normal speed, before answering. "
               "Play it again, then send your answers.")


class TooFast(ServiceError):
    """An answer sooner than the clip could have been watched (require_full_playback):
    the page asks for the clip to be played again."""

    code = "watch"

    def __init__(self):
        super().__init__(WATCH_FIRST, status=400)


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
    """Check every field of a submitted answer; name each bad one."""
    problems, clean = [], {}
    unknown = sorted(str(k)[:40] for k in data if k not in ANSWER_FIELDS)
    if unknown:
        problems.append(f"unknown field(s): {', '.join(unknown[:10])}")
    for name in ("submission_key", "trial_index", "response_emotion", *RATING_FIELDS):
        if data.get(name) is None or data.get(name) == "":
            problems.append(f"{name} is missing")
    for name in ("submission_key", "response_emotion"):
        if data.get(name) is not None and not isinstance(data[name], str | int):
            problems.append(f"{name} must be a string")
    if problems:
        raise ServiceError("; ".join(problems) + ".", 400)
    try:
        clean["submission_key"] = uuid.UUID(str(data["submission_key"]))
    except ValueError:
        problems.append("submission_key is not a UUID")
    if data["response_emotion"] not in RESPONSES:
        problems.append(f"response_emotion {str(data['response_emotion'])[:40]!r} is not one of "
                        f"{', '.join(RESPONSES)}")
    clean["response_emotion"] = data["response_emotion"]
    for name, low, high in (("trial_index", 0, 10**6), ("intensity", 1, 7), ("sync", 1, 7),
                            ("naturalness", 1, 7), ("rt_ms", 0, 3_600_000), ("plays", 0, 1000)):
        value = data.get(name)
        if value in (None, "") and name in ("rt_ms", "plays"):
            clean[name] = 0 if name == "plays" else None
            continue
        if isinstance(value, bool) or not _is_int(value) or not low <= int(value) <= high:
            problems.append(f"{name} must be a whole number from {low} to {high}, "
                            f"got {str(value)[:40]!r}")
            continue
        clean[name] = int(value)
    if problems:
        raise ServiceError("; ".join(problems) + ".", 400)
    return clean


def _is_int(value) -> bool:
    if isinstance(value, int):
        return True
    if isinstance(value, float):
        return value.is_integer()
    digits = value.strip().lstrip("-") if isinstance(value, str) else ""
    return digits.isascii() and digits.isdigit() and len(digits) <= 12
