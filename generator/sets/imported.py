"""``stimuli import``: a stimulus set from a lab's own clips and a FACTORS.csv.

Every clip is checked first (the table, and each file: there, readable, with
sound where the others have sound, long enough to measure), and every problem
is listed in one error; nothing is written until there are none. Then each
clip becomes a study clip (H.264 Main yuv420p + AAC MP4, faststart, the set's
frame rate, letterboxed into the set's square size, sound normalised to one
loudness) beside its poster, and the set gets ``manifest.json`` and a contact
sheet like the generator's own sets. The sources are only read.

A clip is made again only when its source's bytes, the options or this code
change (stamps in ``SET/.cache/<id>.json``, which also keep its measurements
for the summary), so a second run with nothing changed writes nothing.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import statistics
from dataclasses import dataclass, field
from pathlib import Path

import av
import numpy as np

from contract import file_sha256
from generator.common.errors import InputError
from generator.common.fileio import atomic_target, sources_sha, text_write
from generator.common.parallel import parallel_map
from generator.render.loudness import (
    MIN_SECONDS,
    TOLERANCE_LU,
    TRUE_PEAK_DBTP,
    integrated_lufs,
    loudness_normalise,
    true_peak_dbtp,
)
from generator.render.transcode import (
    AUDIO_RATE,
    audio_decode,
    clip_in_form,
    clip_probe,
    frames_fitted,
)
from generator.render.video import clip_write, png_write
from generator.sets.factors_table import FactorTable, Row, table_check, table_read
from generator.sets.manifest import manifest_write, stimulus_entry

_CODE = ("sets/imported.py", "render/transcode.py", "render/loudness.py", "render/video.py")


@dataclass(frozen=True)
class Options:
    fps: int = 25
    size: int = 512
    loudness: float | None = -23.0  # target LUFS; None keeps the sound as it is


@dataclass(frozen=True)
class Source:
    """A checked source file: its row, its path and digest."""

    row: Row
    path: str
    sha256: str


@dataclass(frozen=True)
class ClipJob:
    source: Source
    set_dir: str
    options: Options


@dataclass
class ClipResult:
    stimulus_id: str
    action: str  # "encoded", "copied" or "unchanged"
    info: dict = field(default_factory=dict)


def _probe_job(job: tuple[int, str]) -> tuple[int, str, bool, float, str]:
    """(index, sha256, has_audio, seconds, problem) of one source file."""
    index, path = job
    if not Path(path).is_file():
        return index, "", False, 0.0, "does not exist"
    try:
        probe = clip_probe(Path(path))
    except ValueError as err:
        return index, "", False, 0.0, str(err)
    return index, file_sha256(path), probe.has_audio, probe.seconds, ""


def sources_check(table: FactorTable, clips_dir: Path, out: Path, options: Options,
                  workers: int) -> tuple[list[Source], list[str]]:
    """Each row's file probed; the problems: missing, unreadable, silent among clips with
    sound, too short to measure, or where the set would write its clip."""
    rows = [row for row in table.rows if row.file]  # an empty 'file' is the table's problem
    jobs = [(i, str(clips_dir / row.file)) for i, row in enumerate(rows)]
    found = sorted(parallel_map(_probe_job, jobs, workers=workers, desc="checking", unit="file"))
    problems, sources = [], []
    with_sound = sum(1 for _, _, has_audio, _, problem in found if has_audio and not problem)
    targets = {_clip_path(out, row.stimulus_id).resolve() for row in rows}
    for (_, sha, has_audio, seconds, problem), row in zip(found, rows, strict=True):
        where = f"line {row.line}: {row.file}"
        if problem:
            problems.append(f"{where}: {problem}")
            continue
        if not has_audio and with_sound:
            problems.append(f"{where}: has no audio track, while {with_sound} other clip(s) "
                            "have one (a study is silent for all clips or none)")
        if has_audio and options.loudness is not None and 0 < seconds < MIN_SECONDS:
            problems.append(f"{where}: {seconds:.2f} s is too short to measure loudness "
                            f"(at least {MIN_SECONDS} s; or use --no-loudness)")
        if (clips_dir / row.file).resolve() in targets:
            problems.append(f"{where}: the set would write a clip over this source; choose "
                            "another --out")
        sources.append(Source(row, str(clips_dir / row.file), sha))
    return sources, problems


def _clip_path(set_dir: Path, stimulus_id: str) -> Path:
    return Path(set_dir) / "clips" / f"{stimulus_id}.mp4"


def _paths(set_dir: Path, stimulus_id: str) -> tuple[Path, Path, Path]:
    root = Path(set_dir)
    return (_clip_path(root, stimulus_id), root / "posters" / f"{stimulus_id}.png",
            root / ".cache" / f"{stimulus_id}.json")


def _stamp(source: Source, options: Options) -> str:
    return hashlib.sha256(json.dumps([source.sha256, options.fps, options.size, options.loudness,
                                      sources_sha(*_CODE)]).encode()).hexdigest()


def _loudness(audio: np.ndarray | None) -> float | None:
    """Integrated loudness, None without sound, too short a sound or silence."""
    if audio is None or audio.shape[-1] < MIN_SECONDS * AUDIO_RATE:
        return None
    value = integrated_lufs(audio, AUDIO_RATE)
    return round(value, 2) if np.isfinite(value) else None


def _at_target(audio: np.ndarray | None, before: float | None, options: Options) -> bool:
    if options.loudness is None or audio is None or before is None:
        return True
    return abs(before - options.loudness) <= TOLERANCE_LU and true_peak_dbtp(audio) <= TRUE_PEAK_DBTP


def clip_import_job(job: ClipJob) -> ClipResult:
    """Make one clip and its poster unless its stamp says they are up to date."""
    source, options = job.source, job.options
    stimulus_id = source.row.stimulus_id
    clip, poster, cache = _paths(Path(job.set_dir), stimulus_id)
    stamp = _stamp(source, options)
    if clip.is_file() and poster.is_file() and cache.is_file():
        kept = json.loads(cache.read_text())
        if kept.get("stamp") == stamp and kept["info"].get("sha256") == file_sha256(clip):
            return ClipResult(stimulus_id, "unchanged", kept["info"])
    try:
        action, before = _clip_make(source, clip, options)
    except av.FFmpegError as err:  # a file whose header read well but whose data does not
        raise InputError(f"{source.path}: could not be decoded ({err.strerror or err})") from None
    frames, still = _poster_frame(clip)
    png_write(poster, still)
    after = audio_decode(clip)
    peak = true_peak_dbtp(after) if after is not None and after.size else float("-inf")
    info = {"sha256": file_sha256(clip), "duration_s": round(frames / options.fps, 3),
            "has_audio": after is not None, "lufs_before": before, "lufs_after": _loudness(after),
            "true_peak_after": round(peak, 2) if np.isfinite(peak) else None}
    text_write(cache, json.dumps({"stamp": stamp, "info": info}, indent=1) + "\n")
    return ClipResult(stimulus_id, action, info)


def _clip_make(source: Source, clip: Path, options: Options) -> tuple[str, float | None]:
    """Copy the source where it already is a study clip at the target loudness, else
    encode it; (what was done, the source's loudness)."""
    audio = audio_decode(Path(source.path))
    before = _loudness(audio)
    if clip_in_form(Path(source.path), options.fps, options.size) and _at_target(audio, before,
                                                                                    options):
        with atomic_target(clip) as tmp:
            shutil.copyfile(source.path, tmp)
        return "copied", before
    if audio is not None and options.loudness is not None and before is not None:
        audio = loudness_normalise(audio, AUDIO_RATE, options.loudness)
    hold_s = audio.shape[-1] / AUDIO_RATE if audio is not None else 0.0
    clip_write(clip, frames_fitted(Path(source.path), options.fps, options.size, hold_s),
               audio, sample_rate=AUDIO_RATE, fps=options.fps, profile="main")
    return "encoded", before


def _poster_frame(clip: Path) -> tuple[int, np.ndarray]:
    """(frame count, RGBA of the middle frame) of a written clip (an MP4 states its count)."""
    with av.open(str(clip)) as container:
        stream = container.streams.video[0]
        count = stream.frames or sum(1 for packet in container.demux(stream) if packet.size)
    with av.open(str(clip)) as container:
        for index, frame in enumerate(container.decode(video=0)):
            if index >= count // 2:
                return count, frame.to_ndarray(format="rgba")
    raise InputError(f"{clip}: holds no decodable picture")


def import_write(clips_dir: Path, factors_csv: Path, out: Path, *, options: Options, name: str,
                 workers: int) -> tuple[Path, list[str]]:
    """Check everything, make the set; (the manifest's path, the summary's lines).

    Raises InputError listing every problem of the table and the files when
    there is any, before anything is written.
    """
    clips_dir, out = Path(clips_dir), Path(out)
    if not clips_dir.is_dir():
        raise InputError(f"{clips_dir}: no such folder of clips")
    table, problems = table_check(*table_read(factors_csv))
    sources, file_problems = sources_check(table, clips_dir, out, options, workers)
    problems += file_problems
    if problems:
        raise InputError(f"{factors_csv}: {len(problems)} problem(s), nothing written:\n"
                         + "\n".join(f"  - {p}" for p in problems))
    jobs = [ClipJob(source, str(out), options) for source in sources]
    results = {r.stimulus_id: r for r in parallel_map(clip_import_job, jobs, workers=workers,
                                                       desc="import", unit="clip")}
    entries = {}
    for source in sources:
        row, info = source.row, results[source.row.stimulus_id].info
        clip, poster, _ = _paths(out, row.stimulus_id)
        entries[row.stimulus_id] = stimulus_entry(
            out, stimulus_id=row.stimulus_id, clip=clip, poster=poster, factors=row.factors,
            duration_s=info["duration_s"], sentence=row.sentence)
    stimuli = [entries[s.row.stimulus_id] for s in sources if not s.row.practice]
    practice = [entries[s.row.stimulus_id] for s in sources if s.row.practice]
    manifest = manifest_write(
        out, name=name, factors=table.factors, practice=practice, stimuli=stimuli,
        description=f"{len(stimuli)} own clips, factors {', '.join(table.factors)} "
                    f"(stimuli import of {factors_csv.name})")
    _sheet_write(out, table, stimuli)
    ordered = [results[s.row.stimulus_id] for s in sources]
    return manifest, summary_lines(out, table, ordered, options)


def _sheet_write(out: Path, table: FactorTable, stimuli: list[dict]) -> Path:
    """Contact sheet: a row per level of the first factor, a column per combination of
    the others; rewritten only when a clip or the layout changed."""
    import skia

    from generator.render.contact_sheet import contact_sheet_write

    first, rest = table.factors[0], table.factors[1:]
    rows = list(dict.fromkeys(str(s["factors"][first]) for s in stimuli))
    columns = list(dict.fromkeys(" ".join(str(s["factors"][f]) for f in rest) for s in stimuli))
    sheet, stamp_path = out / "contact_sheet.png", out / ".cache" / "contact_sheet.sha"
    stamp = hashlib.sha256(json.dumps([[s["id"], s["sha256"], s["factors"]] for s in stimuli],
                                      sort_keys=True).encode()).hexdigest()
    if sheet.is_file() and stamp_path.is_file() and stamp_path.read_text() == stamp:
        return sheet
    stills = {(r, c): np.zeros((2, 2, 4), np.uint8) for r in rows for c in columns}  # empty cell
    for s in stimuli:
        key = (str(s["factors"][first]), " ".join(str(s["factors"][f]) for f in rest))
        stills[key] = skia.Image.open(str(out / s["poster"])).toarray(
            colorType=skia.kRGBA_8888_ColorType)
    contact_sheet_write(sheet, stills, rows, columns)
    text_write(stamp_path, stamp)
    return sheet


def _spread(values: list[float], unit: str, digits: int = 2) -> str:
    if not values:
        return "none"
    return (f"min {min(values):.{digits}f}{unit}, median {statistics.median(values):.{digits}f}"
            f"{unit}, max {max(values):.{digits}f}{unit}")


def summary_lines(out: Path, table: FactorTable, results: list[ClipResult],
                  options: Options) -> list[str]:
    """What the import made: clips and what happened to them, factor levels with counts
    (stimuli only), durations, loudness before and after, clips without sound."""
    by_id = {row.stimulus_id: row for row in table.rows}
    actions = [r.action for r in results]
    n_practice = sum(1 for r in results if by_id[r.stimulus_id].practice)
    lines = [f"{out}: {len(results)} clips ({len(results) - n_practice} stimuli, {n_practice} "
             f"practice): {actions.count('encoded')} encoded, {actions.count('copied')} copied, "
             f"{actions.count('unchanged')} unchanged"]
    stimuli = [by_id[r.stimulus_id] for r in results if not by_id[r.stimulus_id].practice]
    lines.append("factor levels (stimuli):")
    for factor in table.factors:
        counts: dict[str, int] = {}
        for row in stimuli:
            counts[row.factors[factor]] = counts.get(row.factors[factor], 0) + 1
        lines.append(f"  {factor}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    lines.append("durations: " + _spread([r.info["duration_s"] for r in results], " s"))
    silent = [r.stimulus_id for r in results if not r.info["has_audio"]]
    if len(silent) == len(results):
        lines.append("sound: no clip has an audio track (a silent study)")
        return lines
    before = [r.info["lufs_before"] for r in results if r.info["lufs_before"] is not None]
    after = [r.info["lufs_after"] for r in results if r.info["lufs_after"] is not None]
    peaks = [r.info["true_peak_after"] for r in results if r.info["true_peak_after"] is not None]
    target = ("kept as it is (--no-loudness)" if options.loudness is None else
              f"target {options.loudness:.1f} LUFS, true peak at most {TRUE_PEAK_DBTP:.1f} dBTP")
    lines.append(f"loudness ({target}):")
    lines.append(f"  before: {_spread(before, ' LUFS', 1)}")
    lines.append(f"  after:  {_spread(after, ' LUFS', 1)}"
                 + (f"; true peak at most {max(peaks):.1f} dBTP" if peaks else ""))
    unmeasured = [r.stimulus_id for r in results if r.info["has_audio"]
                  and r.info["lufs_after"] is None]
    if unmeasured:
        lines.append(f"  not measured (silence, or under {MIN_SECONDS} s): {', '.join(unmeasured)}")
    if silent:
        lines.append(f"sound: {len(silent)} clip(s) without an audio track: {', '.join(silent)}")
    return lines
