"""espeak-ng speech: 16 kHz audio with phoneme timings, prosody per emotion, voices."""

from __future__ import annotations

import numpy as np
import pytest

from generator.common.errors import InputError
from generator.rig.character import characters
from generator.speech.corpus import COMMON, EMOTION_RELATED, utterances
from generator.speech.synthesis import SAMPLE_RATE, speech_synthesize


def test_phonemes_cover_the_audio_in_order():
    audio, phonemes = speech_synthesize(COMMON[0], voice="en-us+f3", emotion="neutral")
    assert audio.dtype == np.float32 and 1.0 < len(audio) / SAMPLE_RATE < 3.0
    assert np.abs(audio).max() < 1.0
    starts = [p.start_s for p in phonemes]
    assert starts == sorted(starts)
    assert all(p.end_s >= p.start_s for p in phonemes)
    assert phonemes[-1].end_s == pytest.approx(len(audio) / SAMPLE_RATE, abs=0.01)
    spoken = [p.symbol for p in phonemes if p.symbol != "_"]
    assert spoken[0] == "k" and "d" in spoken  # "Kids ... door"


def test_sad_speech_is_slower_and_softer_than_angry_speech():
    sad, _ = speech_synthesize(COMMON[1], voice="en-us+m3", emotion="sadness")
    angry, _ = speech_synthesize(COMMON[1], voice="en-us+m3", emotion="anger")
    assert len(sad) > 1.2 * len(angry)
    assert np.sqrt((sad ** 2).mean()) < np.sqrt((angry ** 2).mean())


def test_synthesis_is_deterministic():
    a, pa = speech_synthesize(COMMON[2], voice="en-us+f4", emotion="joy")
    b, pb = speech_synthesize(COMMON[2], voice="en-us+f4", emotion="joy")
    assert np.array_equal(a, b) and pa == pb


def test_more_than_one_voice_and_every_voice_speaks():
    voices = {c.voice.name for c in characters().values()}
    assert len(voices) >= 3
    for voice in voices:
        audio, _ = speech_synthesize("Hello", voice=voice, emotion="neutral")
        assert len(audio) > SAMPLE_RATE // 10


def test_unknown_voice_is_an_input_error():
    with pytest.raises(InputError, match="no voice"):
        speech_synthesize("Hello", voice="xx-nope", emotion="neutral")


def test_corpus_is_table_2():
    items = utterances()
    assert len(items) == 56
    assert sum(u.sentence_type == "common" for u in items) == 28
    assert {u.group for u in items} == {1, 2, 3, 4}
    assert EMOTION_RELATED["surprise"][0] == "He ate four extra eggs for breakfast"
