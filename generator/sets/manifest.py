"""Write a stimulus set's ``manifest.json`` (the contract in docs/design.md).

The generator is the only writer of manifests; ``studyapp`` reads them. Paths
in the manifest are relative to the manifest's own folder.
"""

from __future__ import annotations

from pathlib import Path

from contract import SCHEMA_VERSION, file_sha256
from generator.common.fileio import json_write


def stimulus_entry(
    set_dir: Path,
    *,
    stimulus_id: str,
    clip: Path,
    factors: dict,
    duration_s: float,
    sentence: str = "",
    poster: Path | None = None,
    measures: dict | None = None,
) -> dict:
    """One ``stimuli``/``practice`` item for a clip already written under ``set_dir``;
    ``measures`` are the clip's objective measures (``generator.sets.measures``), left
    out for clips the generator did not animate (imported ones)."""
    entry = {
        "id": stimulus_id,
        "file": clip.relative_to(set_dir).as_posix(),
        "sha256": file_sha256(clip),
        "duration_s": round(float(duration_s), 3),
        "sentence": sentence,
        "factors": dict(factors),
    }
    if poster is not None:
        entry["poster"] = poster.relative_to(set_dir).as_posix()
    if measures is not None:
        entry["measures"] = dict(measures)
    return entry


def manifest_write(
    set_dir: Path,
    *,
    name: str,
    description: str,
    factors: list[str],
    practice: list[dict],
    stimuli: list[dict],
    placeholder: bool = False,
) -> Path:
    """Write ``set_dir/manifest.json`` atomically and return its path."""
    manifest = {
        "schema": SCHEMA_VERSION,
        "name": name,
        "description": description,
        "factors": list(factors),
        "placeholder": placeholder,
        "practice": practice,
        "stimuli": stimuli,
    }
    return json_write(Path(set_dir) / "manifest.json", manifest)
