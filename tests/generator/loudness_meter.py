"""An independent loudness meter for the tests: FFmpeg's ``ebur128`` filter through PyAV.

The code under test measures with pyloudnorm and its own 4x-oversampled true
peak; the tests check its results with FFmpeg's implementation of the same
standard (EBU R128 / ITU-R BS.1770), so a mistake shared by both is unlikely.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np


def _measure(frames, layout: str, rate: int) -> tuple[float, float]:
    graph = av.filter.Graph()
    source = graph.add_abuffer(format="fltp", sample_rate=rate, layout=layout,
                               time_base=Fraction(1, rate))
    meter = graph.add("ebur128", "metadata=1:peak=true")
    sink = graph.add("abuffersink")
    graph.link_nodes(source, meter, sink).configure()
    lufs, peak = float("-inf"), 0.0
    for frame in [*frames, None]:
        graph.push(frame)
        while True:
            try:
                meta = graph.pull().metadata  # the running values, on frames that end a 100 ms step
            except (av.BlockingIOError, av.EOFError):
                break
            if "lavfi.r128.I" in meta:
                lufs = float(meta["lavfi.r128.I"])
                peak = max(peak, float(meta["lavfi.r128.true_peak"]))
    return lufs, 20 * np.log10(peak) if peak > 0 else float("-inf")


def ebur128_array(audio: np.ndarray, rate: int) -> tuple[float, float]:
    """(integrated LUFS, true peak dBTP) of float audio shaped (channels, n) or (n,)."""
    audio = np.atleast_2d(audio).astype(np.float32)
    layout = "mono" if audio.shape[0] == 1 else "stereo"
    frame = av.AudioFrame.from_ndarray(audio, format="fltp", layout=layout)
    frame.sample_rate, frame.pts, frame.time_base = rate, 0, Fraction(1, rate)
    return _measure([frame], layout, rate)


def ebur128_file(path: Path) -> tuple[float, float]:
    """(integrated LUFS, true peak dBTP) of a file's first audio track, decoded by FFmpeg."""
    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        layout, rate = stream.layout.name, stream.rate
        resampler = av.AudioResampler(format="fltp", layout=layout, rate=rate)
        frames = [f for frame in container.decode(stream) for f in resampler.resample(frame)]
    return _measure(frames, layout, rate)
