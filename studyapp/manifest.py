"""Read and check a stimulus manifest (docs/design.md) before a study is built.

Every problem is collected, so an experimenter sees the whole list at once
(missing file, sha256 mismatch, unknown emotion code, design combinations),
and nothing is created while any remains.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from contract import EMOTIONS, SCHEMA_VERSION, file_sha256
from studyapp.designs import Design, design_problems


class ManifestError(ValueError):
    """A manifest that cannot be used; ``problems`` lists every reason."""

    def __init__(self, path: Path, problems: list[str]):
        self.path = path
        self.problems = problems
        super().__init__(
            f"{path}: {len(problems)} problem(s):\n" + "\n".join(f"  - {p}" for p in problems)
        )


@dataclass(frozen=True)
class StimulusSet:
    """A checked manifest: where it lives, its digest, and its items."""

    path: Path
    sha256: str
    data: dict

    @property
    def directory(self) -> Path:
        return self.path.parent

    @property
    def practice(self) -> list[dict]:
        return self.data["practice"]

    @property
    def stimuli(self) -> list[dict]:
        return self.data["stimuli"]


def manifest_load(path: Path, design: Design, *, verify_files: bool = True) -> StimulusSet:
    """Parse ``path``, check it against the contract and ``design``; raise ManifestError."""
    path = Path(path).resolve()
    if not path.is_file():
        raise ManifestError(path, ["the manifest file does not exist."])
    raw = path.read_bytes()
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ManifestError(path, [f"not valid UTF-8 JSON ({exc})."]) from None
    if not isinstance(data, dict):
        raise ManifestError(path, ["the top level must be a JSON object."])
    problems = _structure_problems(data)
    if problems:
        raise ManifestError(path, problems)
    problems += _item_problems(path.parent, data, verify_files=verify_files)
    problems += design_problems(design, data["stimuli"])
    if problems:
        raise ManifestError(path, problems)
    return StimulusSet(path=path, sha256=hashlib.sha256(raw).hexdigest(), data=data)


def _structure_problems(data: dict) -> list[str]:
    problems = []
    if data.get("schema") != SCHEMA_VERSION:
        problems.append(f"schema is {data.get('schema')!r}; this app reads schema {SCHEMA_VERSION}.")
    for key in ("practice", "stimuli"):
        if not isinstance(data.get(key), list):
            problems.append(f"{key!r} must be a list.")
        elif not all(isinstance(item, dict) for item in data[key]):
            problems.append(f"every item of {key!r} must be an object.")
    if isinstance(data.get("stimuli"), list) and not data["stimuli"]:
        problems.append("'stimuli' is empty.")
    if isinstance(data.get("practice"), list) and not data["practice"]:
        problems.append("'practice' is empty: the procedure (paper 5.1.4) needs a practice clip.")
    return problems


def _item_problems(directory: Path, data: dict, *, verify_files: bool) -> list[str]:
    problems = []
    seen_ids: set[str] = set()
    for section in ("practice", "stimuli"):
        for n, item in enumerate(data[section], start=1):
            where = f"{section}[{n}] ({item.get('id', 'no id')})"
            required = ("id", "file", "factors") + (("sha256",) if section == "stimuli" else ())
            for key in required:
                if not item.get(key):
                    problems.append(f"{where}: {key!r} is missing.")
            if not isinstance(item.get("factors", {}), dict):
                problems.append(f"{where}: 'factors' must be an object.")
                continue
            if not isinstance(item.get("measures", {}), dict):
                problems.append(f"{where}: 'measures' must be an object (the clip's measures, "
                                "stimuli/README.md).")
            stimulus_id = item.get("id")
            if stimulus_id in seen_ids:
                problems.append(f"{where}: id {stimulus_id!r} is used twice.")
            seen_ids.add(stimulus_id)
            # Emotion codes are the contract's wherever a clip names an emotion; a lab's
            # own set may have no emotion factor at all (the paper's designs require one).
            emotion = item.get("factors", {}).get("emotion")
            if "emotion" in item.get("factors", {}) and emotion not in EMOTIONS:
                problems.append(
                    f"{where}: emotion {emotion!r} is not one of {', '.join(EMOTIONS)}."
                )
            for key in ("file", "poster"):
                if item.get(key):
                    problems += _file_problems(directory, item, key, where, verify_files)
            if not problems:
                problems += _duration_problems(directory, item, where, verify_files)
    return problems


def _duration_problems(directory: Path, item: dict, where: str, verify: bool) -> list[str]:
    """Check ``duration_s``, or read it from the clip when the manifest leaves it out.

    The server times every answer against it (answers.WATCH_TOLERANCE_S), so a
    study of a lab's own clips is held to the watch-to-the-end rule as well.
    """
    duration = item.get("duration_s")
    if duration is not None:
        if isinstance(duration, bool) or not isinstance(duration, int | float) or duration <= 0:
            return [f"{where}: duration_s must be a positive number of seconds, got {duration!r}."]
        return []
    if not verify:
        return []
    measured = clip_duration_s(directory / item["file"])
    if measured is None:
        return [f"{where}: duration_s is missing and the length of {item['file']} "
                "could not be read from the file."]
    item["duration_s"] = measured
    return []


def clip_duration_s(path: Path) -> float | None:
    """The length of a video or audio file in seconds (its container's), or None."""
    import av  # only when a manifest leaves durations out

    try:
        with av.open(str(path)) as container:
            if container.duration:
                return round(container.duration / av.time_base, 3)
            stream = next(iter(container.streams.video or container.streams.audio), None)
            if stream is not None and stream.duration and stream.time_base:
                return round(float(stream.duration * stream.time_base), 3)
    except (av.FFmpegError, OSError):
        return None
    return None


def _file_problems(directory: Path, item: dict, key: str, where: str, verify: bool) -> list[str]:
    relative = Path(item[key])
    if relative.is_absolute() or ".." in relative.parts:
        return [f"{where}: {key} {item[key]!r} must be a path inside the manifest's folder."]
    target = directory / relative
    if not target.is_file():
        return [f"{where}: {key} {item[key]} does not exist."]
    if key == "file" and verify and item.get("sha256"):
        actual = file_sha256(target)
        if actual != item["sha256"]:
            return [f"{where}: sha256 of {item[key]} is {actual[:12]}..., "
                    f"manifest says {str(item['sha256'])[:12]}..."]
    return []
