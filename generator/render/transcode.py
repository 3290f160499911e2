"""Read any clip FFmpeg reads (through PyAV) for re-encoding as a study clip.

A lab's own clips come as MP4/MOV/MKV/WebM/AVI with H.264, HEVC, VP8/9 or
ProRes pictures and AAC, Opus, MP3 or PCM sound, at any frame rate and size,
or as audio with a still image (a cover picture). Here they are probed,
their sound decoded to float at 48 kHz (mono stays mono, more channels
become stereo), and their pictures run through FFmpeg's filter graph to a
constant frame rate and letterboxed into a square, so that every clip of a
set has one frame rate and size and nothing is stretched.
``clip_in_form`` says whether a file already is such a clip, so that it can
be copied instead of encoded a second time.
"""

from __future__ import annotations

import itertools
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

AUDIO_RATE = 48000


@dataclass(frozen=True)
class Probe:
    """What a source file holds, read from its headers and first picture."""

    width: int
    height: int
    has_audio: bool
    seconds: float  # the container's length (0 where it does not say)


def clip_probe(path: Path) -> Probe:
    """Open ``path`` and decode its first picture; ValueError says why it is unusable."""
    try:
        with av.open(str(path)) as container:
            if not container.streams.video:
                raise ValueError("has no picture (neither a video track nor an image)")
            stream = container.streams.video[0]
            first = next(container.decode(stream), None)
            if first is None:
                raise ValueError("its video track holds no decodable picture")
            seconds = container.duration / av.time_base if container.duration else 0.0
            return Probe(first.width, first.height, bool(container.streams.audio), seconds)
    except av.FFmpegError as err:
        raise ValueError(f"not readable as video ({err.strerror or type(err).__name__})") from None


def audio_decode(path: Path) -> np.ndarray | None:
    """The first audio track as float32 (channels, samples) at 48 kHz, or None without one.

    Mono stays mono; two or more channels are mixed down to stereo by FFmpeg's
    resampler (its standard downmix).
    """
    with av.open(str(path)) as container:
        if not container.streams.audio:
            return None
        stream = container.streams.audio[0]
        layout = "mono" if stream.codec_context.channels == 1 else "stereo"
        resampler = av.AudioResampler(format="fltp", layout=layout, rate=AUDIO_RATE)
        chunks = []
        for frame in container.decode(stream):
            chunks += [f.to_ndarray() for f in resampler.resample(frame)]
        chunks += [f.to_ndarray() for f in resampler.resample(None)]
    channels = 1 if layout == "mono" else 2
    return (np.concatenate(chunks, axis=1) if chunks
            else np.zeros((channels, 0), np.float32)).astype(np.float32)


def letterbox(width: int, height: int, sample_aspect: Fraction, size: int) -> tuple[int, int, int, int]:
    """(w, h, x, y): the picture scaled to fit a ``size`` square without distortion
    (its displayed shape, pixels' own aspect included), and its even offsets in it."""
    shown = width * (sample_aspect or 1)
    scale = min(Fraction(size) / shown, Fraction(size, height))
    w = max(2, min(size, 2 * round(shown * scale / 2)))
    h = max(2, min(size, 2 * round(height * scale / 2)))
    return w, h, (size - w) // 4 * 2, (size - h) // 4 * 2


def frames_fitted(path: Path, fps: int, size: int, hold_s: float = 0.0) -> Iterator[av.VideoFrame]:
    """The first video track as ``size`` x ``size`` yuv420p frames at ``fps``.

    FFmpeg's ``fps`` filter drops or repeats pictures for a constant rate, then
    ``scale`` + ``pad`` letterbox them (black bars). A still picture (one frame,
    e.g. an audio file's cover) is held for ``hold_s`` seconds (the sound's length).
    """
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        # a cover picture has no time of its own: the fps filter would drop it
        steady = not stream.disposition & av.stream.Disposition.attached_pic
        graph, first, produced, last = None, None, 0, None
        for frame in itertools.chain(container.decode(stream), [None]):
            if graph is None and frame is not None:
                graph, first = _fit_graph(stream, frame, fps, size, steady), frame
            if graph is None:
                break
            graph.push(frame)
            for out in _pulled(graph):
                yield _numbered(out, produced, fps)
                produced, last = produced + 1, out
    if produced == 0 and first is not None:  # one picture with no duration: as a still
        graph = _fit_graph(stream, first, fps, size, steady=False)
        graph.push(first)
        graph.push(None)
        for out in _pulled(graph):
            yield _numbered(out, produced, fps)
            produced, last = produced + 1, out
    if produced == 1 and last is not None:
        for _ in range(max(0, round(hold_s * fps) - 1)):
            copy = last.reformat()  # a new frame: the encoder may hold on to the last one
            yield _numbered(copy, produced, fps)
            produced += 1


def _fit_graph(stream, frame: av.VideoFrame, fps: int, size: int,
               steady: bool = True) -> av.filter.Graph:
    aspect = stream.sample_aspect_ratio or stream.codec_context.sample_aspect_ratio or Fraction(1)
    w, h, x, y = letterbox(frame.width, frame.height, Fraction(aspect), size)
    graph = av.filter.Graph()
    time_base = stream.time_base or Fraction(1, fps)
    chain = [graph.add_buffer(width=frame.width, height=frame.height, format=frame.format.name,
                              time_base=time_base),
             *([graph.add("fps", f"fps={fps}")] if steady else []),
             graph.add("scale", f"{w}:{h}:flags=bicubic"),
             graph.add("setsar", "1"),
             graph.add("pad", f"{size}:{size}:{x}:{y}:black"),
             graph.add("format", "yuv420p"),
             graph.add("buffersink")]
    graph.link_nodes(*chain).configure()
    return graph


def _pulled(graph: av.filter.Graph) -> Iterator[av.VideoFrame]:
    while True:
        try:
            yield graph.pull()
        except (av.BlockingIOError, av.EOFError):
            return


def _numbered(frame: av.VideoFrame, index: int, fps: int) -> av.VideoFrame:
    frame.pts, frame.time_base = index, Fraction(1, fps)
    return frame


def faststart(path: Path) -> bool:
    """Whether an MP4's index (``moov``) comes before its media (``mdat``)."""
    with open(path, "rb") as handle:
        while True:
            header = handle.read(8)
            if len(header) < 8:
                return False
            size, kind = struct.unpack(">I4s", header)
            if kind == b"moov":
                return True
            if kind == b"mdat" or size == 0:
                return False
            if size == 1:
                size = struct.unpack(">Q", handle.read(8))[0] - 8
            handle.seek(size - 8, 1)


def clip_in_form(path: Path, fps: int, size: int) -> bool:
    """Whether ``path`` already is a study clip: an MP4 (not QuickTime) with the index
    first, one H.264 Main-profile yuv420p track of ``size`` x ``size`` at a constant
    ``fps``, and no sound or one AAC track of at most two channels."""
    try:
        with av.open(str(path)) as container:
            if (container.format.name != "mov,mp4,m4a,3gp,3g2,mj2"
                    or container.metadata.get("major_brand", "").strip() == "qt"
                    or len(container.streams.video) != 1 or len(container.streams.audio) > 1
                    or len(container.streams) != len(container.streams.video)
                    + len(container.streams.audio)):
                return False
            video = container.streams.video[0]
            context = video.codec_context
            if (context.name != "h264" or video.profile != "Main" or context.pix_fmt != "yuv420p"
                    or (video.width, video.height) != (size, size)):
                return False
            for audio in container.streams.audio:
                if audio.codec_context.name != "aac" or audio.codec_context.channels > 2:
                    return False
            times = sorted(p.pts for p in container.demux(video) if p.pts is not None)
    except av.FFmpegError:
        return False
    steps = {Fraction(b - a) * video.time_base for a, b in zip(times, times[1:], strict=False)}
    return steps == {Fraction(1, fps)} and faststart(path)
