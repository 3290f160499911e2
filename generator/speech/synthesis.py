"""Offline speech with exact phoneme timings: espeak-ng through ctypes.

``espeakng-loader`` bundles libespeak-ng and its data (docs/generator.md). The
library is driven in synchronous mode with phoneme events on, so every phoneme
arrives with the sample it starts at; the command line gives no timings.

Emotional prosody (paper 3.1 asks for 7 emotions; espeak has no emotion model):
each emotion is a setting of espeak's four prosody parameters plus a voice
quality (``voice_quality.py``), in the directions the speech-emotion literature
reports (Juslin & Laukka 2003, Table 7, a meta-analysis of 104 studies; Banse &
Scherer 1996; Scherer 2003; for disgust, which Juslin & Laukka do not tabulate,
Murray & Arnott 1993), against neutral:

- anger: faster, louder, higher and more variable pitch, much high-frequency
  energy (tense voice);
- joy: faster, louder, higher and more variable pitch, some high-frequency energy;
- fear: faster, softer, higher pitch with *little* variability, little
  high-frequency energy, irregular (tremor, breath);
- sadness: slower, softer, lower and narrower pitch, little high-frequency
  energy, breathy;
- disgust: slower, softer, lower pitch, lax voice (Murray & Arnott: "grumbled
  chest tone");
- surprise (no consensus profile; chosen as a high-arousal pattern): the
  highest pitch and widest range, louder.

The sizes are chosen (docs/generator.md); the directions are the sources'.
"""

from __future__ import annotations

import ctypes
import os
import pickle
from dataclasses import dataclass

import numpy as np

from generator.common.errors import InputError
from generator.rig.animator import Phoneme
from generator.speech.voice_quality import VoiceQuality, voice_quality_apply

SAMPLE_RATE = 16000  # of every WAV the dataset writes


@dataclass(frozen=True)
class Prosody:
    rate: int    # words per minute (espeak default 175)
    pitch: int   # base pitch, 0-100 (default 50)
    range: int   # pitch range, 0-100 (default 50)
    volume: int  # amplitude, 0-200 (default 100; above ~170 clips)
    quality: VoiceQuality = VoiceQuality()  # tilt, breath, tremor (voice_quality.py)


PROSODY: dict[str, Prosody] = {
    "neutral": Prosody(rate=165, pitch=45, range=40, volume=100),
    "joy": Prosody(rate=180, pitch=66, range=85, volume=120, quality=VoiceQuality(tilt_db=2.0)),
    "anger": Prosody(rate=185, pitch=60, range=75, volume=150,
                     quality=VoiceQuality(tilt_db=6.0)),
    "sadness": Prosody(rate=125, pitch=30, range=12, volume=75,
                       quality=VoiceQuality(tilt_db=-6.0, breath=0.15)),
    "fear": Prosody(rate=205, pitch=72, range=25, volume=90,
                    quality=VoiceQuality(tilt_db=-3.0, breath=0.08, tremor=0.03)),
    "disgust": Prosody(rate=135, pitch=33, range=50, volume=90,
                       quality=VoiceQuality(tilt_db=-2.0)),
    "surprise": Prosody(rate=165, pitch=78, range=95, volume=130,
                        quality=VoiceQuality(tilt_db=2.0)),
}


class _Id(ctypes.Union):
    _fields_ = [("number", ctypes.c_int), ("name", ctypes.c_char_p),
                ("string", ctypes.c_char * 8)]


class _Event(ctypes.Structure):  # espeak_EVENT in speak_lib.h
    _fields_ = [("type", ctypes.c_int), ("unique_identifier", ctypes.c_uint),
                ("text_position", ctypes.c_int), ("length", ctypes.c_int),
                ("audio_position", ctypes.c_int), ("sample", ctypes.c_int),
                ("user_data", ctypes.c_void_p), ("id", _Id)]


_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int,
                             ctypes.POINTER(_Event))
_AUDIO_OUTPUT_SYNCHRONOUS, _PHONEME_EVENTS, _EVENT_PHONEME = 2, 1, 7
_RATE, _VOLUME, _PITCH, _RANGE = 1, 2, 3, 4
_CHARS_UTF8, _POS_CHARACTER = 1, 1


class _Engine:
    """The process's one espeak-ng instance (the library keeps global state)."""

    def __init__(self) -> None:
        import espeakng_loader

        self.lib = ctypes.CDLL(espeakng_loader.get_library_path())
        data_parent = os.path.dirname(espeakng_loader.get_data_path()).encode()
        self.rate = self.lib.espeak_Initialize(_AUDIO_OUTPUT_SYNCHRONOUS, 0, data_parent,
                                               _PHONEME_EVENTS)
        if self.rate <= 0:
            raise RuntimeError("espeak-ng failed to initialise")
        self.chunks: list[np.ndarray] = []
        self.events: list[tuple[str, int]] = []
        self.callback = _CALLBACK(self._on_audio)  # keep a reference: C holds the pointer
        self.lib.espeak_SetSynthCallback(self.callback)

    def _on_audio(self, wav, n, events) -> int:
        if wav and n > 0:
            self.chunks.append(np.ctypeslib.as_array(wav, shape=(n,)).copy())
        i = 0
        while events[i].type != 0:
            if events[i].type == _EVENT_PHONEME:
                self.events.append((events[i].id.string.decode("ascii", "replace"),
                                    events[i].sample))
            i += 1
        return 0

    def say(self, text: str, voice: str, prosody: Prosody) -> tuple[np.ndarray, list]:
        if self.lib.espeak_SetVoiceByName(voice.encode()) != 0:
            raise InputError(f"espeak-ng has no voice {voice!r}")
        for param, value in ((_RATE, prosody.rate), (_PITCH, prosody.pitch),
                             (_RANGE, prosody.range), (_VOLUME, prosody.volume)):
            self.lib.espeak_SetParameter(param, int(value), 0)
        self.chunks, self.events = [], []
        data = text.encode("utf-8")
        self.lib.espeak_Synth(data, len(data) + 1, 0, _POS_CHARACTER, 0, _CHARS_UTF8, None, None)
        self.lib.espeak_Synchronize()
        audio = np.concatenate(self.chunks) if self.chunks else np.zeros(0, np.int16)
        return audio, self.events


_engine: _Engine | None = None


def _say_isolated(engine: _Engine, text: str, voice: str, prosody: Prosody):
    """``engine.say`` in a forked child, so every utterance starts from the same state.

    espeak-ng keeps wave-generator state from one utterance to the next: the
    same sentence came out a few samples different after another one. The
    parent initialises the engine and never speaks; each child inherits that
    pristine state, speaks once and sends the result back through a pipe.
    """
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: speak, report, leave without running the parent's cleanup
        os.close(read_fd)
        try:
            payload = pickle.dumps(("ok", engine.say(text, voice, prosody)))
        except BaseException as err:  # every failure goes back to the parent
            payload = pickle.dumps(("error", str(err)))
        with os.fdopen(write_fd, "wb") as out:
            out.write(payload)
        os._exit(0)
    os.close(write_fd)
    with os.fdopen(read_fd, "rb") as source:
        data = source.read()
    os.waitpid(pid, 0)
    if not data:
        raise RuntimeError("the espeak-ng child process died without an answer")
    status, result = pickle.loads(data)
    if status == "error":
        raise InputError(result)
    return result


def speech_synthesize(text: str, *, voice: str, emotion: str, pitch_offset: int = 0,
                      seed: int = 0) -> tuple[np.ndarray, list[Phoneme]]:
    """Speak ``text``: (mono float32 audio at 16 kHz, phonemes with start/end in seconds);
    ``seed`` draws the breath noise of the emotion's voice quality."""
    import soxr

    global _engine
    if _engine is None:
        _engine = _Engine()
    base = PROSODY[emotion]
    prosody = Prosody(base.rate, int(np.clip(base.pitch + pitch_offset, 0, 100)),
                      base.range, base.volume, base.quality)
    raw, events = _say_isolated(_engine, text, voice, prosody)
    audio = soxr.resample(raw.astype(np.float32) / 32768.0, _engine.rate, SAMPLE_RATE)
    total_s = len(raw) / _engine.rate
    phonemes = []
    for i, (symbol, sample) in enumerate(events):
        end = events[i + 1][1] if i + 1 < len(events) else len(raw)
        clean = symbol.lstrip("',").rstrip("0123456789") or "_"
        phonemes.append(Phoneme(clean if not clean.startswith("_") else "_",
                                round(sample / _engine.rate, 4),
                                round(min(end, len(raw)) / _engine.rate, 4)))
    if phonemes and phonemes[-1].end_s < total_s:
        phonemes[-1] = Phoneme(phonemes[-1].symbol, phonemes[-1].start_s, round(total_s, 4))
    audio = voice_quality_apply(audio, base.quality, SAMPLE_RATE, np.random.default_rng(seed))
    return audio, phonemes
