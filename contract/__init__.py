"""The vocabulary of the project's two file contracts, defined once (docs/design.md).

generator/ writes manifests, studyapp/ reads them and writes the responses
export, analysis/ reads that. Each of the three imports this module and
nothing of the others, so what the two files mean is decided here: emotion
codes and what participants read for them, the named factors and methods,
the manifest schema version, the export's columns, and the digest that pins
a clip to its manifest. It depends on the standard library alone.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

#: Manifest schema version (stimuli/<set>/manifest.json).
SCHEMA_VERSION = 1

#: Emotion codes of the paper's dataset (section 3), in code order.
EMOTIONS = ("anger", "disgust", "fear", "joy", "neutral", "sadness", "surprise")
#: The answer that names none of them.
OTHER = "other"
#: What a participant may answer: every emotion code and OTHER.
RESPONSES = (*EMOTIONS, OTHER)
#: What participants read for each answer, in the order of the paper's question (5.1.4).
EMOTION_LABELS = {
    "neutral": "Neutral", "anger": "Anger", "sadness": "Sadness", "fear": "Fear",
    "disgust": "Disgust", "joy": "Happiness", "surprise": "Surprise", OTHER: "Other",
}

#: The factors with a column of their own in the export, in its order; a
#: manifest's other factors follow them.
NAMED_FACTORS = ("character", "emotion", "method", "sentence_type", "sentence_group")
#: ``factors.character``: the human face of Task 1, then the primary stylized
#: character (the dataset's, paper section 3) and the five others it is adapted to.
CHARACTERS = ("Human", "Mery", "Bonnie", "Ray", "Malcolm", "Rose", "Miosha")
#: The primary stylized character: the dataset's, whose rig the models predict
#: and the adaptation carries to the other stylized characters (paper 6.2).
PRIMARY_CHARACTER = "Mery"
#: ``factors.method`` of Task 2 (paper 5.1.3): the dataset's own animation, ETAD,
#: and the EVP-style baseline.
METHODS = ("GT", "ETAD", "EVP")

#: Responses export: one row per answered trial. A manifest's extra factors
#: follow NAMED_FACTORS; then the answers: the paper's four questions
#: (PAPER_ANSWER_COLUMNS), or a study's own questions, one column per question
#: id and ``<id>_correct`` per scored choice; then EXPORT_TRAILER.
EXPORT_HEAD = ("study", "participant", "group", "trial_index", "is_practice", "stimulus_id")
PAPER_ANSWER_COLUMNS = ("response_emotion", "correct", "intensity", "sync", "naturalness")
EXPORT_TRAILER = ("rt_ms", "plays", "started_at", "submitted_at", "pilot", "bot",
                  "attention_check", "attention_passed")
EXPORT_TAIL = (*PAPER_ANSWER_COLUMNS, *EXPORT_TRAILER)
EXPORT_COLUMNS = (*EXPORT_HEAD, *NAMED_FACTORS, *EXPORT_TAIL)

#: Pairs export (``build_study --design pairs --compare FACTOR``, docs/design.md):
#: one row per answered pair trial. PAIR_HEAD; then ``a_<factor>`` and
#: ``b_<factor>`` for the compared factor; then the factors both clips share,
#: once, in the manifest's order; then one column per question (a preference
#: question holds the chosen level of the compared factor, or NO_PREFERENCE);
#: then PAIR_TRAILER. ``left`` names the clip shown left (first on a phone).
PAIR_HEAD = ("study", "participant", "group", "trial_index", "is_practice",
             "stimulus_a", "stimulus_b", "left")
PAIR_TRAILER = ("rt_ms", "plays_a", "plays_b", "started_at", "submitted_at", "pilot", "bot",
                "attention_check", "attention_passed")
PAIR_SIDES = ("a", "b")
NO_PREFERENCE = "none"


def file_sha256(path: Path | str) -> str:
    """The SHA-256 of a file's bytes, as a manifest's ``sha256`` holds it for each clip."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
