"""``stimuli task1``: GT stimulus sets with manifest and contact sheet.

Task 1 (paper 5.1.3): 7 characters x 7 emotions x 2 sentence types x 4 groups
= 392 clips rendered from the dataset's GT rig tracks (each character's own
rig), plus one practice clip whose sentence is not in the corpus. The demo set
(``generator.sets.demo``) is the same pipeline restricted to one sentence.

A clip is re-rendered only when its inputs change: the dataset item, the
character spec, the frame size and the code of the renderer and encoder,
hashed into ``.cache/<id>.sha`` beside the set.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from contract import NAMED_FACTORS
from generator.common.errors import InputError
from generator.common.fileio import audio_read, sources_sha, text_write, track_read
from generator.common.parallel import parallel_map
from generator.render.clips import clip_render
from generator.render.contact_sheet import contact_sheet_write
from generator.rig.character import Character, character_get, characters, primary_character
from generator.rig.controls import EMOTIONS, emotions_check
from generator.rig.timing import DEFAULT_TIMING
from generator.sets.manifest import manifest_write, stimulus_entry
from generator.sets.measures import clip_measures
from generator.speech.corpus import PRACTICE_SENTENCE, SENTENCE_TYPES, Utterance, utterances
from generator.speech.dataset import item_build_job, item_paths, split_write
from generator.speech.synthesis import SAMPLE_RATE

FACTORS = list(NAMED_FACTORS)
#: The practice trial's utterance, spoken by the primary character: not a corpus sentence.
PRACTICE = Utterance("joy", "practice", 0, PRACTICE_SENTENCE)
_RENDER_CODE = ("render/renderer.py", "render/draw_face.py", "render/draw_head.py",
                "render/draw_mouth.py", "render/shapes.py", "render/video.py", "render/clips.py",
                "rig/character.py")


@dataclass(frozen=True)
class Selection:
    """Which part of the Task 1 design to make (all of it by default)."""

    characters: tuple[str, ...] = ()
    emotions: tuple[str, ...] = EMOTIONS
    sentence_types: tuple[str, ...] = SENTENCE_TYPES
    groups: tuple[int, ...] = (1, 2, 3, 4)

    def resolved(self) -> tuple[list[Character], list[Utterance]]:
        chosen = [character_get(n) for n in self.characters] or list(characters().values())
        emotions_check(self.emotions)
        for kind in self.sentence_types:
            if kind not in SENTENCE_TYPES:
                raise InputError(f"unknown sentence type {kind!r} (known: common, emotion)")
        for group in self.groups:
            if group not in (1, 2, 3, 4):
                raise InputError(f"sentence group {group} is not one of 1-4")
        picked = [u for u in utterances() if u.emotion in self.emotions
                  and u.sentence_type in self.sentence_types and u.group in self.groups]
        return chosen, picked


@dataclass(frozen=True)
class ClipJob:
    character: str
    utterance: Utterance
    dataset: str
    set_dir: str
    stimulus_id: str
    size: int


def _paths(job: ClipJob) -> tuple[Path, Path, Path]:
    root = Path(job.set_dir)
    return (root / "clips" / f"{job.stimulus_id}.mp4", root / "posters" / f"{job.stimulus_id}.png",
            root / ".cache" / f"{job.stimulus_id}.sha")


def _render_job(job: ClipJob) -> tuple[str, bool]:
    """Render one clip unless its cache stamp says the inputs are unchanged."""
    character = character_get(job.character)
    meta = json.loads(item_paths(Path(job.dataset), character, job.utterance).meta.read_text())
    stamp = hashlib.sha256(json.dumps([meta["inputs_sha"], character.spec_sha, job.size,
                                       sources_sha(*_RENDER_CODE)]).encode()).hexdigest()
    clip, poster, cache = _paths(job)
    if clip.is_file() and poster.is_file() and cache.is_file() and cache.read_text() == stamp:
        return job.stimulus_id, False
    paths = item_paths(Path(job.dataset), character, job.utterance)
    values = track_read(paths.rig, character.rig.controls)
    audio = audio_read(paths.wav, SAMPLE_RATE)
    clip_render(character, values, audio, clip, poster=poster,
                poster_frame=meta["apex_frame"], size=job.size)
    text_write(cache, stamp)
    return job.stimulus_id, True


def rig_measures(character: Character, values, wav: Path) -> dict:
    """The manifest's ``measures`` of a clip drawn from ``character``'s rig ``values``
    (T, K) with the speech in ``wav``: measured on the canonical track the renderer draws."""
    return clip_measures(character.rig.to_canonical(values), audio_read(wav, SAMPLE_RATE),
                         SAMPLE_RATE)


def stimulus_id(character: Character, utterance: Utterance) -> str:
    return f"{character.slug}-{utterance.key}-gt"


def practice_id(character: Character) -> str:
    return f"practice-{character.slug}-{PRACTICE.emotion}"


def gt_set_write(out: Path, *, name: str, description: str, selection: Selection,
                 dataset: Path, size: int, workers: int, seed: int = 0) -> Path:
    """Build the needed dataset items, render every clip, write manifest and contact sheet."""
    out, dataset = Path(out), Path(dataset)
    chosen, picked = selection.resolved()
    items = [(c, u) for c in chosen for u in picked] + [(primary_character(), PRACTICE)]
    built = sum(parallel_map(item_build_job, [(c.name, u, str(dataset), seed, DEFAULT_TIMING)
                                                     for c, u in items],
                             workers=workers, desc="dataset items"))
    split_write(dataset, list(characters().values()), seed)
    jobs = [ClipJob(c.name, u, str(dataset), str(out),
                    practice_id(c) if u.sentence_type == "practice" else stimulus_id(c, u),
                    size) for c, u in items]
    rendered = sum(fresh for _, fresh in parallel_map(_render_job, jobs, workers=workers,
                                                      desc="clips", unit="clip"))
    entries = {}
    for job in jobs:
        character = character_get(job.character)
        paths = item_paths(dataset, character, job.utterance)
        meta = json.loads(paths.meta.read_text())
        clip, poster, _ = _paths(job)
        factors = {"character": character.name, "emotion": job.utterance.emotion, "method": "GT"}
        if job.utterance.sentence_type != "practice":
            factors |= {"sentence_type": job.utterance.sentence_type,
                        "sentence_group": job.utterance.group}
        entries[job.stimulus_id] = stimulus_entry(
            out, stimulus_id=job.stimulus_id, clip=clip, poster=poster, factors=factors,
            duration_s=meta["duration_s"], sentence=meta["sentence"],
            measures=rig_measures(character, track_read(paths.rig, character.rig.controls),
                                  paths.wav))
    practice = [entries.pop(jobs[-1].stimulus_id)]
    manifest = manifest_write(out, name=name, description=description, factors=FACTORS,
                              practice=practice, stimuli=list(entries.values()))
    _sheet_write(out, dataset, chosen, selection.emotions, picked, size)
    print(f"{len(items)} items ({built} built), {len(jobs)} clips ({rendered} rendered)")
    return manifest


def task1_write(out: Path, *, name: str, selection: Selection, dataset: Path, size: int,
                workers: int, seed: int = 0) -> Path:
    """The Task 1 set (or the part of it ``selection`` names); the manifest's path."""
    chosen, _ = selection.resolved()
    return gt_set_write(
        out, name=name, selection=selection, dataset=dataset, size=size, workers=workers,
        seed=seed,
        description=f"Task 1 (paper 5.1.3): GT clips of {len(chosen)} characters x "
                    f"{len(selection.emotions)} emotions x {len(selection.sentence_types)} "
                    f"sentence types x {len(selection.groups)} groups, synthetic dataset")


def _sheet_write(out: Path, dataset: Path, chosen: list[Character], emotions, picked,
                 size: int) -> Path:
    """Contact sheet: every character x emotion at the apex of its first selected sentence."""
    from generator.render.clips import renderer_for

    stills = {}
    for character in chosen:
        for emotion in emotions:
            utterance = next(u for u in picked if u.emotion == emotion)
            paths = item_paths(dataset, character, utterance)
            meta = json.loads(paths.meta.read_text())
            values = track_read(paths.rig, character.rig.controls)
            pose = character.rig.to_canonical(values[meta["apex_frame"]:meta["apex_frame"] + 1])
            stills[(character.name, emotion)] = renderer_for(character, size).frame(pose[0]).copy()
    return contact_sheet_write(out / "contact_sheet.png", stills, [c.name for c in chosen],
                               list(emotions))
