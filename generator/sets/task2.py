"""``stimuli task2``: the set of clips made by the trained methods.

Task 2 (paper 5.1.2-5.1.3): 6 characters x 7 emotions x 3 methods (GT, ETAD,
EVP) = 126 clips. Per emotion the sentence is the held-out emotion-related
sentence of the split (no model heard it in training). Every character speaks
it in its own voice (the dataset's item), and all three methods of a
character use that same audio: GT renders the character's own dataset rig
track; ETAD and EVP animate the primary character from the audio and the
adaptation MLPs carry the result to the other five (paper 5.1.2). Posters show
the GT's apex frame for all three methods, so they are comparable.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np

from contract import METHODS, NAMED_FACTORS
from generator.common.fileio import audio_read, text_write, track_read
from generator.models.data import AUDIO_RATE
from generator.models.registry import Methods
from generator.rig.character import Character, character_get, characters, primary_character
from generator.rig.controls import EMOTIONS
from generator.sets.task1 import PRACTICE, practice_id, rig_measures
from generator.speech.corpus import Utterance, utterances
from generator.speech.synthesis import SAMPLE_RATE

FACTORS = list(NAMED_FACTORS)


def _render_job(job: dict) -> bool:
    from generator.render.clips import clip_render

    clip, cache = Path(job["clip"]), Path(job["cache"])
    if clip.is_file() and Path(job["poster"]).is_file() and cache.is_file() \
            and cache.read_text() == job["stamp"]:
        return False
    clip_render(character_get(job["character"]), job["values"], audio_read(Path(job["wav"]), SAMPLE_RATE),
                clip, poster=Path(job["poster"]), poster_frame=job["apex"], size=job["size"])
    text_write(cache, job["stamp"])
    return True


def task2_write(out: Path, *, methods: Methods, dataset: Path, size: int, workers: int,
                seed: int = 0) -> Path:
    """Predict, render and describe the 126 Task 2 clips (+ a practice clip)."""
    from generator.common.parallel import parallel_map
    from generator.render.contact_sheet import contact_sheet_write
    from generator.sets.manifest import manifest_write, stimulus_entry
    from generator.speech.dataset import item_build, item_paths

    out, dataset = Path(out), Path(dataset)
    split = json.loads((dataset / "split.json").read_text())
    chosen = [c for c in characters().values() if c.slug != "human"]
    picked = [u for u in utterances() if u.sentence_type == "emotion"
              and u.group == split["test_groups"][u.emotion]["emotion"]]
    practice = (primary_character(), PRACTICE)
    for character, utterance in [(c, u) for c in chosen for u in picked] + [practice]:
        item_build(dataset, character, utterance, base_seed=seed)

    jobs, entries, stills = [], [], {}
    for character in chosen:
        for utterance in picked:
            paths = item_paths(dataset, character, utterance)
            meta = json.loads(paths.meta.read_text())
            audio = audio_read(paths.wav, AUDIO_RATE)
            gt = track_read(paths.rig, character.rig.controls)
            for method in METHODS:
                values = gt if method == "GT" else methods.character_rig(
                    method.lower(), audio, utterance.emotion, character, len(gt))
                jobs.append(_job(out, character, utterance, method, values, paths.wav, meta, size))
                stills[(f"{character.name} {method}", utterance.emotion)] = (character, values,
                                                                            meta["apex_frame"])
    paths = item_paths(dataset, *practice)
    meta = json.loads(paths.meta.read_text())
    jobs.append(_job(out, practice[0], practice[1], "GT", track_read(paths.rig,
                     practice[0].rig.controls), paths.wav, meta, size, stimulus=practice_id(practice[0])))
    rendered = sum(parallel_map(_render_job, jobs, workers=workers, desc="clips", unit="clip"))
    for job in jobs:
        entries.append(stimulus_entry(out, stimulus_id=job["id"], clip=Path(job["clip"]),
                                      poster=Path(job["poster"]), factors=job["factors"],
                                      duration_s=job["duration_s"], sentence=job["sentence"],
                                      measures=rig_measures(character_get(job["character"]),
                                                            job["values"], Path(job["wav"]))))
    manifest = manifest_write(
        out, name="task2", factors=FACTORS, practice=entries[-1:], stimuli=entries[:-1],
        description="Task 2: 6 characters x 7 emotions x 3 methods (GT, ETAD, EVP-style) on "
                    "held-out sentences (paper 5.1.3); ETAD/EVP predicted for the primary "
                    "character and adapted to the others; synthetic dataset")
    from generator.render.clips import renderer_for

    sheet = {}
    for key, (character, values, apex) in stills.items():
        pose = character.rig.to_canonical(values[apex:apex + 1])[0]
        sheet[key] = renderer_for(character, min(size, 256)).frame(pose).copy()
    contact_sheet_write(out / "contact_sheet.png", sheet,
                        [f"{c.name} {m}" for c in chosen for m in METHODS], list(EMOTIONS),
                        cell=140)
    print(f"{len(jobs)} clips ({rendered} rendered)")
    return manifest


def _job(out: Path, character: Character, utterance: Utterance, method: str, values: np.ndarray,
         wav: Path, meta: dict, size: int, stimulus: str = "") -> dict:
    stimulus = stimulus or f"{character.slug}-{utterance.emotion}-{method.lower()}"
    values = np.ascontiguousarray(values, dtype=np.float32)
    stamp = hashlib.sha256(values.tobytes() + meta["inputs_sha"].encode()
                           + character.spec_sha.encode() + str(size).encode()).hexdigest()
    factors = {"character": character.name, "emotion": utterance.emotion, "method": method}
    if utterance.sentence_type != "practice":
        factors |= {"sentence_type": utterance.sentence_type, "sentence_group": utterance.group}
    return {"id": stimulus, "clip": str(out / "clips" / f"{stimulus}.mp4"),
            "poster": str(out / "posters" / f"{stimulus}.png"),
            "cache": str(out / ".cache" / f"{stimulus}.sha"), "stamp": stamp,
            "character": character.name, "values": values, "wav": str(wav),
            "apex": meta["apex_frame"], "size": size, "factors": factors,
            "duration_s": meta["duration_s"], "sentence": meta["sentence"]}

