"""Atomic writes and the dataset's file formats (WAV, rig-track CSV).

Every file is written under a temporary name beside its target and renamed
into place, so an interrupted or failed run never leaves a half-written file
under the real name. Readers raise :class:`InputError` naming the file and the
problem.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import json
import os
import wave
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from generator.common.errors import InputError

MAX_AUDIO_S = 60.0


@contextlib.contextmanager
def atomic_target(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it onto ``path`` on success."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.stem}.{os.getpid()}.tmp{path.suffix}")
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def sources_sha(*paths: str) -> str:
    """SHA-256 over the source of generator modules, named by their paths under
    ``generator/`` (``"rig/animator.py"``): a stamp that changes with the code."""
    root = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for path in paths:
        digest.update((root / path).read_bytes())
    return digest.hexdigest()


def text_write(path: Path, text: str) -> Path:
    """Write ``text`` atomically; a file that already holds it is left untouched."""
    path = Path(path)
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return path
    with atomic_target(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(path)


def json_write(path: Path, data) -> Path:
    return text_write(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def wav_write(path: Path, audio: np.ndarray, sample_rate: int) -> Path:
    """Mono float audio in [-1, 1] -> 16-bit PCM WAV."""
    pcm = (np.clip(audio, -1, 1) * 32767).astype("<i2")
    with atomic_target(path) as tmp, wave.open(str(tmp), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(sample_rate)
        out.writeframes(pcm.tobytes())
    return Path(path)


def audio_read(path: Path, sample_rate: int) -> np.ndarray:
    """Decode any audio file PyAV can read to mono float32 at ``sample_rate``."""
    import av

    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such audio file")
    try:
        with av.open(str(path)) as container:
            if not container.streams.audio:
                raise InputError(f"{path}: has no audio stream")
            resampler = av.AudioResampler(format="flt", layout="mono", rate=sample_rate)
            chunks = []
            for frame in container.decode(audio=0):
                chunks += [f.to_ndarray().reshape(-1) for f in resampler.resample(frame)]
            chunks += [f.to_ndarray().reshape(-1) for f in resampler.resample(None)]
    except InputError:
        raise
    except Exception as err:  # PyAV raises many types for a bad file
        raise InputError(f"{path}: not decodable as audio ({type(err).__name__})") from None
    audio = np.concatenate(chunks) if chunks else np.zeros(0, np.float32)
    if audio.size == 0:
        raise InputError(f"{path}: the audio is empty")
    if audio.size > MAX_AUDIO_S * sample_rate:
        raise InputError(f"{path}: the audio is {audio.size / sample_rate:.1f} s long, "
                         f"more than {MAX_AUDIO_S:.0f} s")
    return audio.astype(np.float32)


def track_write(path: Path, columns: tuple[str, ...] | list[str], values: np.ndarray) -> Path:
    """A rig track as CSV: ``frame`` then one column per control, 4 decimals."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["frame", *columns])
    for i, row in enumerate(values):
        writer.writerow([i, *(f"{v:.4f}" for v in row)])
    return text_write(path, buffer.getvalue())


def track_read(path: Path, columns: tuple[str, ...] | list[str]) -> np.ndarray:
    """(T, K) values of ``columns`` from a rig-track CSV; other columns are ignored."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such rig CSV")
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    if not rows:
        raise InputError(f"{path}: the rig CSV is empty")
    header, body = rows[0], rows[1:]
    missing = [c for c in columns if c not in header]
    if missing:
        shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5
                                          else "")
        raise InputError(f"{path}: rig CSV is missing column(s) {shown}")
    if not body:
        raise InputError(f"{path}: the rig CSV has no frames")
    picks = [header.index(c) for c in columns]
    values = np.empty((len(body), len(columns)), dtype=np.float32)
    for r, row in enumerate(body, start=2):
        try:
            values[r - 2] = [float(row[i]) for i in picks]
        except (ValueError, IndexError):
            raise InputError(f"{path}: line {r} has a missing or non-numeric value") from None
    if not np.isfinite(values).all():
        raise InputError(f"{path}: the rig CSV holds NaN or infinite values")
    return values
