"""The speech corpus of the paper's Table 2.

Four common sentences read in all 7 emotions and four emotion-related
sentences per emotion, each numbered 1-4: the number is the item's
``sentence_group`` (paper 5.1.2 divides the dataset into four groups by it).
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.rig.controls import EMOTIONS

COMMON = (
    "Kids are talking by the door",
    "Dogs are sitting by the door",
    "She had your dark suit in greasy wash water all year",
    "Don't ask me to carry an oily rag like that",
)
EMOTION_RELATED = {
    "anger": (
        "Right now may not be the best time for business mergers",
        "You're so preoccupied that you've let your faith grow dim",
        "Lot of people will roam the streets in costumes and masks and having a ball",
        "Then he would realize they were really things that only he himself could think",
    ),
    "disgust": (
        "Please take this dirty table cloth to the cleaners for me",
        "Young children should avoid exposure to contagious diseases",
        "You're not living up to your own principles she told my discouraged people",
        "Pretty soon a woman came along carrying a folded umbrella as a walking stick",
    ),
    "fear": (
        "Call an ambulance for medical assistance",
        "The fish began to leap frantically on the surface of the small lake",
        "We will achieve a more vivid sense of what it is by realizing what it is",
        "This is a problem that goes considerably beyond questions of salary and tenure",
    ),
    "joy": (
        "The eastern coast is a place for pure pleasure and excitement",
        "By that time perhaps something better can be done",
        "Obviously the bridal pair has many adjustments to make to their new situation",
        "His artistic accomplishments guaranteed him entry into any social gathering",
    ),
    "sadness": (
        "There's no chance now of all of us getting away",
        "The diagnosis was discouraging however he was not overly worried",
        "The prospect of cutting back spending is an unpleasant one for any governor",
        "But the ships are very slow now and we don't get so many sailors any more",
    ),
    "surprise": (
        "He ate four extra eggs for breakfast",
        "I just saw Jim near the new archeological museum",
        "He further proposed grants of an unspecified sum for experimental Hospitals",
        "Properly used the present book is an excellent instrument of enlightenment",
    ),
    "neutral": (
        "The best way to learn is to solve extra problems",
        "As such it was beyond politics and had no need of justification by a message",
        "Keep your seats boys I just want to put some finishing touches on this thing",
        "Bridges tunnels and ferries are the most common methods of river crossings",
    ),
}
SENTENCE_TYPES = ("common", "emotion")
PRACTICE_SENTENCE = "This is how a practice clip looks"


@dataclass(frozen=True)
class Utterance:
    emotion: str
    sentence_type: str  # "common" or "emotion" (docs/design.md)
    group: int          # 1-4, Table 2's "No."
    text: str

    @property
    def key(self) -> str:
        """File-name form, e.g. ``anger-common-1``."""
        return f"{self.emotion}-{self.sentence_type}-{self.group}"


def utterances() -> list[Utterance]:
    """All 56 utterances: 7 emotions x (4 common + 4 emotion-related)."""
    return [
        Utterance(emotion, kind, group, text)
        for emotion in EMOTIONS
        for kind, texts in (("common", COMMON), ("emotion", EMOTION_RELATED[emotion]))
        for group, text in enumerate(texts, start=1)
    ]
