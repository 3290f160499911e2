"""Encode frames and audio into a browser-playable clip (H.264/AAC MP4, 25 fps).

``movflags=+faststart`` puts the index first so a browser can start playing
before the whole file has arrived (docs/design.md: clips play everywhere).
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np

FPS = 25


def clip_write(path: Path, frames: np.ndarray, audio: np.ndarray | None, *,
               sample_rate: int = 16000, fps: int = FPS) -> Path:
    """Write ``frames`` ((T, H, W, 4) uint8 RGBA) and mono float ``audio`` in [-1, 1] to ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    n, height, width, _ = frames.shape
    with av.open(str(path), mode="w", options={"movflags": "+faststart"}) as container:
        video = container.add_stream("libx264", rate=fps, options={"preset": "veryfast", "crf": "23"})
        video.width, video.height, video.pix_fmt = width, height, "yuv420p"
        audio_stream = None
        if audio is not None:
            audio_stream = container.add_stream("aac", rate=48000)
            audio_stream.layout = "mono"
        for frame in frames:
            for packet in video.encode(av.VideoFrame.from_ndarray(frame, format="rgba")):
                container.mux(packet)
        for packet in video.encode():
            container.mux(packet)
        if audio_stream is not None:
            samples = np.clip(audio, -1, 1).astype(np.float32)[None, :]
            frame = av.AudioFrame.from_ndarray(samples, format="flt", layout="mono")
            frame.sample_rate = sample_rate
            frame.time_base = Fraction(1, sample_rate)
            frame.pts = 0
            resampler = av.AudioResampler(format="fltp", layout="mono", rate=48000)
            for resampled in resampler.resample(frame) + resampler.resample(None):
                for packet in audio_stream.encode(resampled):
                    container.mux(packet)
            for packet in audio_stream.encode():
                container.mux(packet)
    return path
