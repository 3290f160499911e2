"""Encode frames and audio into a browser-playable clip (H.264/AAC MP4, 25 fps).

Video is H.264 (yuv420p, the profile every browser decodes), audio AAC at
48 kHz mono; ``movflags=+faststart`` puts the index first so a browser can
start playing before the whole file has arrived (docs/design.md). The audio is
padded or trimmed to the picture's length, so the two end together.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from generator.common.fileio import atomic_target
from generator.rig.controls import FPS
from generator.speech.synthesis import SAMPLE_RATE

AAC_RATE = 48000
X264_PRESET = "veryfast"  # the speed/size trade-off measured in BENCHMARKS.md
# One encoder thread: sets are made one clip per core, where x264's own threads
# only compete with the other workers (BENCHMARKS.md: +30 % on 2 cores).
X264_OPTIONS = {"preset": X264_PRESET, "crf": "20", "threads": "1"}


def audio_fit(audio: np.ndarray, n_frames: int, sample_rate: int, fps: int = FPS) -> np.ndarray:
    """Pad with silence or trim so the audio ((n,) or (channels, n)) lasts exactly
    ``n_frames`` frames."""
    n = int(round(n_frames * sample_rate / fps))
    out = np.zeros((*audio.shape[:-1], n), dtype=np.float32)
    out[..., :min(n, audio.shape[-1])] = audio[..., :n]
    return out


def clip_write(path: Path, frames: Iterable[np.ndarray | av.VideoFrame], audio: np.ndarray | None,
               *, sample_rate: int = SAMPLE_RATE, fps: int = FPS, profile: str = "") -> int:
    """Write RGBA frames ((H, W, 4) uint8 each, or ``av.VideoFrame``s, e.g. from a
    filter graph) and float audio (mono (n,), or (channels, n) for mono or
    stereo) to ``path``.

    Frames may be a generator that reuses one buffer: each is encoded before
    the next is requested. ``profile`` names an H.264 profile ("main" for the
    widest playback of imported clips); x264 picks one when it is empty. The
    file appears under its name only when complete. Returns the number of
    frames written.
    """
    frames = iter(frames)
    first = next(frames, None)
    if first is None:
        raise ValueError("a clip needs at least one frame")
    is_frame = isinstance(first, av.VideoFrame)
    height, width = (first.height, first.width) if is_frame else first.shape[:2]
    n = 0
    with atomic_target(Path(path)) as tmp:
        with av.open(str(tmp), mode="w", format="mp4",
                     options={"movflags": "+faststart"}) as container:
            video = container.add_stream("libx264", rate=fps, options=X264_OPTIONS | (
                {"profile": profile} if profile else {}))
            video.width, video.height, video.pix_fmt = width, height, "yuv420p"
            sound = None
            if audio is not None:
                sound = container.add_stream("aac", rate=AAC_RATE)
                sound.layout = _layout(audio)
            for frame in itertools.chain([first], frames):
                if not is_frame:
                    frame = av.VideoFrame.from_ndarray(frame, format="rgba")
                container.mux(video.encode(frame))
                n += 1
            container.mux(video.encode())
            if sound is not None:
                _audio_mux(container, sound, audio_fit(audio, n, sample_rate, fps), sample_rate)
    return n


def _layout(audio: np.ndarray) -> str:
    return "stereo" if audio.ndim == 2 and audio.shape[0] == 2 else "mono"


def _audio_mux(container, stream, audio: np.ndarray, sample_rate: int) -> None:
    planes = np.clip(audio, -1, 1).reshape(-1, audio.shape[-1]).astype(np.float32)
    frame = av.AudioFrame.from_ndarray(planes, format="fltp", layout=_layout(audio))
    frame.sample_rate, frame.time_base, frame.pts = sample_rate, Fraction(1, sample_rate), 0
    resampler = av.AudioResampler(format="fltp", layout=_layout(audio), rate=AAC_RATE)
    for resampled in resampler.resample(frame) + resampler.resample(None):
        container.mux(stream.encode(resampled))
    container.mux(stream.encode())


def png_write(path: Path, rgba: np.ndarray) -> Path:
    """Write one RGBA frame as a PNG (a clip's poster)."""
    import skia

    image = skia.Image.fromarray(np.ascontiguousarray(rgba), colorType=skia.kRGBA_8888_ColorType)
    with atomic_target(Path(path)) as tmp:
        image.save(str(tmp), skia.kPNG)
    return Path(path)
