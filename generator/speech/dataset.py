"""``dataset build``: the synthetic ETAD dataset (paper section 3, rebuilt offline).

For every character x emotion x Table 2 sentence it writes, under
``DIR/items/<character>/<emotion>-<type>-<group>.*``:

- ``.wav``: 16 kHz mono speech (espeak-ng, the emotion's prosody, the
  character's voice) with ``LEAD_S`` of silence before and ``TAIL_S`` after,
  exactly as long as the animation;
- ``.canonical.csv``: the GT canonical rig track (``frame`` + every canonical control),
  its visemes keyed with the artist's timing (``rig/timing.py``);
- ``.aligned.csv``: the same animation with the visemes exactly on the audio (for
  analysis: what a perfectly synchronised artist would have keyed);
- ``.rig.csv``: the GT motion in the character's own rig controls;
- ``.json``: sentence, group, emotion, phoneme timings, seed, apex frame and the
  hash of every input; written last, so its presence marks a complete item.

and ``DIR/split.json``: a fixed 75/25 train/test split, stratified so every
character x emotion x sentence type keeps 3 groups for training and 1 for test
(the same group for every character, so no test sentence is heard in training).
An item whose inputs (text, voice, prosody, character spec, seed and the code
of the speech and animation modules) have not changed is left alone.
"""

from __future__ import annotations

import hashlib
import json
import math
import zlib
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from generator.common.fileio import json_write, sources_sha, track_write, wav_write
from generator.rig.animator import DEFAULT_CONFIG, AnimatorConfig, Phoneme, animate
from generator.rig.character import Character, character_get
from generator.rig.controls import CONTROLS, EMOTIONS, FPS
from generator.rig.timing import DEFAULT_TIMING, ArtistTiming
from generator.speech.corpus import SENTENCE_TYPES, Utterance, utterances
from generator.speech.synthesis import PROSODY, SAMPLE_RATE, speech_synthesize

LEAD_S, TAIL_S = 0.3, 0.4
_CODE = ("rig/animator.py", "rig/expressions.py", "rig/timing.py", "speech/synthesis.py",
         "speech/voice_quality.py", "speech/dataset.py", "rig/controls.py")


@dataclass(frozen=True)
class ItemPaths:
    wav: Path
    canonical: Path
    aligned: Path
    rig: Path
    meta: Path


def item_id(character: Character, utterance: Utterance) -> str:
    return f"{character.slug}-{utterance.key}"


def item_paths(root: Path, character: Character, utterance: Utterance) -> ItemPaths:
    base = Path(root) / "items" / character.slug / utterance.key
    return ItemPaths(base.with_suffix(".wav"), base.with_suffix(".canonical.csv"),
                     base.with_suffix(".aligned.csv"), base.with_suffix(".rig.csv"),
                     base.with_suffix(".json"))


def item_seed(base_seed: int, identifier: str) -> int:
    """A per-item seed that depends only on the base seed and the item's id."""
    return (base_seed * 1_000_003 + zlib.crc32(identifier.encode())) % (2**32)


def _inputs_sha(character: Character, utterance: Utterance, seed: int,
                cfg: AnimatorConfig, timing: ArtistTiming) -> str:
    inputs = {"utterance": asdict(utterance), "voice": asdict(character.voice),
              "prosody": asdict(PROSODY[utterance.emotion]), "spec": character.spec_sha,
              "seed": seed, "animator": asdict(cfg), "timing": asdict(timing), "lead": LEAD_S,
              "tail": TAIL_S,
              "code": sources_sha(*_CODE)}
    return hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()


def item_meta(root: Path, character: Character, utterance: Utterance) -> dict | None:
    """The item's metadata if the item is complete, else None."""
    paths = item_paths(root, character, utterance)
    if not all(p.is_file() for p in (paths.wav, paths.canonical, paths.aligned, paths.rig,
                                      paths.meta)):
        return None
    return json.loads(paths.meta.read_text(encoding="utf-8"))


def item_build(root: Path, character: Character, utterance: Utterance, *, base_seed: int = 0,
               cfg: AnimatorConfig = DEFAULT_CONFIG,
               timing: ArtistTiming = DEFAULT_TIMING) -> tuple[dict, bool]:
    """Build one item unless it is up to date: (metadata, whether it was built)."""
    identifier = item_id(character, utterance)
    seed = item_seed(base_seed, identifier)
    inputs_sha = _inputs_sha(character, utterance, seed, cfg, timing)
    meta = item_meta(root, character, utterance)
    if meta is not None and meta.get("inputs_sha") == inputs_sha:
        return meta, False

    speech, phonemes = speech_synthesize(utterance.text, voice=character.voice.name,
                                         emotion=utterance.emotion,
                                         pitch_offset=character.voice.pitch_offset,
                                         seed=seed)
    lead = int(LEAD_S * SAMPLE_RATE)
    n_frames = math.ceil((lead + len(speech) + TAIL_S * SAMPLE_RATE) * FPS / SAMPLE_RATE)
    audio = np.zeros(n_frames * SAMPLE_RATE // FPS, dtype=np.float32)
    audio[lead:lead + len(speech)] = speech
    shifted = [Phoneme(p.symbol, p.start_s + LEAD_S, p.end_s + LEAD_S) for p in phonemes]
    animation = animate(shifted, emotion=utterance.emotion, n_frames=n_frames, seed=seed,
                        cfg=cfg, timing=timing)
    paths = item_paths(root, character, utterance)
    wav_write(paths.wav, audio, SAMPLE_RATE)
    track_write(paths.canonical, CONTROLS, animation.track)
    track_write(paths.aligned, CONTROLS, animation.aligned)
    track_write(paths.rig, character.rig.controls,
                character.rig.from_canonical(animation.track))
    meta = {
        "id": identifier, "character": character.name, "emotion": utterance.emotion,
        "sentence": utterance.text, "sentence_type": utterance.sentence_type,
        "sentence_group": utterance.group, "voice": asdict(character.voice),
        "prosody": asdict(PROSODY[utterance.emotion]), "seed": seed,
        "n_frames": n_frames, "duration_s": n_frames / FPS, "fps": FPS,
        "sample_rate": SAMPLE_RATE, "apex_frame": animation.apex_frame,
        "intensity": round(animation.intensity, 4), "artist_timing": asdict(timing),
        "keys": {"offset_s": round(animation.keys.offset_s, 4),
                 "dropped": list(animation.keys.dropped),
                 "held": [list(h) for h in animation.keys.held]},
        "phonemes": [[p.symbol, round(p.start_s, 4), round(p.end_s, 4)] for p in shifted],
        "inputs_sha": inputs_sha,
    }
    json_write(paths.meta, meta)
    return meta, True


def item_build_job(job: tuple[str, Utterance, str, int, ArtistTiming]) -> bool:
    """``item_build`` for a worker process: (character name, utterance, root, base seed,
    artist timing)."""
    name, utterance, root, seed, timing = job
    return item_build(Path(root), character_get(name), utterance, base_seed=seed,
                      timing=timing)[1]


def split_make(seed: int) -> dict[str, dict[str, int]]:
    """The test group (1-4) of every emotion x sentence type; the other three train."""
    rng = np.random.default_rng(seed)
    return {emotion: {kind: int(rng.integers(1, 5)) for kind in SENTENCE_TYPES}
            for emotion in EMOTIONS}


def split_write(root: Path, characters: list[Character], seed: int) -> Path:
    test_groups = split_make(seed)
    train, test = [], []
    for character in characters:
        for utterance in utterances():
            is_test = test_groups[utterance.emotion][utterance.sentence_type] == utterance.group
            (test if is_test else train).append(item_id(character, utterance))
    return json_write(Path(root) / "split.json", {
        "seed": seed,
        "rule": "per emotion x sentence type, one of the four groups is test (same for every "
                "character); the other three are train",
        "test_groups": test_groups, "train": train, "test": test,
    })
