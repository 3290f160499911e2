"""Make the example's source clips: the kinds of file a lab's own renders come as.

Each clip is a moving picture (a disc that travels over a colour ramp) with a
speech-like sound (a tone whose pitch and loudness vary like a voice), written
with PyAV in a different container, codec, frame rate, size and level, so that
``python -m generator stimuli import`` has something to unify:

  WebM  VP9 + Opus         25 fps   320 x 240
  MOV   ProRes + PCM       30 fps   256 x 144 (16:9)
  MKV   MPEG-4 + MP3       24 fps   200 x 200
  MP4   H.264 + AAC        50 fps   160 x 120

Run: ``python examples/own-study/make_clips.py OUT_DIR`` (writes OUT_DIR/*.webm ...;
files already there are kept, so that a second import finds nothing changed).
"""

from __future__ import annotations

import argparse
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

RATE = 48000
#: kind -> (container format, video codec, pixel format, audio codec, audio sample format)
KINDS = {
    "webm": ("webm", "libvpx-vp9", "yuv420p", "libopus", "flt"),
    "mov": ("mov", "prores_ks", "yuv422p10le", "pcm_s16le", "s16"),
    "mkv": ("matroska", "mpeg4", "yuv420p", "libmp3lame", "fltp"),
    "mp4": ("mp4", "libx264", "yuv420p", "aac", "fltp"),
}


def voice(seconds: float, level_db: float, seed: int = 0, channels: int = 1) -> np.ndarray:
    """(channels, n) float32: a tone gliding like intonation, in syllable-long bursts,
    scaled so its peak is ``level_db`` dBFS (so clips differ in loudness)."""
    t = np.arange(int(seconds * RATE)) / RATE
    rng = np.random.default_rng(seed)
    pitch = 140 + 40 * np.sin(2 * np.pi * (0.7 + 0.2 * rng.random()) * t)
    phase = 2 * np.pi * np.cumsum(pitch) / RATE
    tone = sum(np.sin(k * phase) / k for k in (1, 2, 3, 4))
    syllables = np.clip(np.sin(2 * np.pi * 4 * t + rng.random()), 0, 1) ** 0.5
    sound = tone * syllables
    sound *= 10 ** (level_db / 20) / np.abs(sound).max()
    return np.repeat(sound[None, :], channels, axis=0).astype(np.float32)


def picture(i: int, n: int, width: int, height: int, hue: int) -> np.ndarray:
    """(height, width, 3) uint8: a colour ramp with a disc moving across it."""
    y, x = np.mgrid[0:height, 0:width]
    image = np.stack([(x * 255 // max(1, width - 1) + hue) % 256,
                      y * 255 // max(1, height - 1),
                      np.full_like(x, (hue * 3) % 256)], axis=-1)
    cx, cy = width * (0.2 + 0.6 * i / max(1, n - 1)), height / 2
    image[(x - cx) ** 2 + (y - cy) ** 2 < (min(width, height) / 4) ** 2] = 250
    return image.astype(np.uint8)


def source_clip(path: Path, kind: str, *, fps: int = 25, width: int = 64, height: int = 48,
                seconds: float = 1.0, level_db: float | None = -12.0, seed: int = 0,
                channels: int = 1) -> Path:
    """Write one clip of ``kind`` (a key of KINDS); ``level_db=None`` makes it silent."""
    fmt, vcodec, pix_fmt, acodec, sample_fmt = KINDS[kind]
    path.parent.mkdir(parents=True, exist_ok=True)
    n = int(round(seconds * fps))
    with av.open(str(path), "w", format=fmt) as out:
        video = out.add_stream(vcodec, rate=fps)
        video.width, video.height, video.pix_fmt = width, height, pix_fmt
        if vcodec == "libx264":
            video.options = {"preset": "ultrafast"}
        audio = None
        if level_db is not None:
            audio = out.add_stream(acodec, rate=RATE)
            audio.layout = "mono" if channels == 1 else "stereo"
        for i in range(n):
            frame = av.VideoFrame.from_ndarray(picture(i, n, width, height, seed * 40), format="rgb24")
            out.mux(video.encode(frame))
        out.mux(video.encode())
        if audio is not None:
            sound = voice(seconds, level_db, seed, channels)
            # planar formats hold a row per channel, packed ones one row of interleaved samples
            per = 1 if sample_fmt == "fltp" else channels
            planes = sound if per == 1 else sound.T.reshape(1, -1)
            if sample_fmt == "s16":
                planes = (planes * 32767).astype(np.int16)
            step = 960
            for start in range(0, sound.shape[1], step):
                chunk = np.ascontiguousarray(planes[:, start * per:(start + step) * per])
                frame = av.AudioFrame.from_ndarray(chunk, format=sample_fmt, layout=audio.layout.name)
                frame.sample_rate, frame.pts, frame.time_base = RATE, start, Fraction(1, RATE)
                out.mux(audio.encode(frame))
            out.mux(audio.encode())
    return path


def cover_audio(path: Path, *, seconds: float = 1.0, level_db: float = -12.0, size: int = 48) -> Path:
    """An MP3 with a cover picture (PNG, an attached picture): sound with one still image."""
    with av.open(str(path), "w", format="mp3") as out:
        sound_stream = out.add_stream("libmp3lame", rate=RATE)
        sound_stream.layout = "mono"
        cover = out.add_stream("png")
        cover.width = cover.height = size
        cover.pix_fmt = "rgb24"
        cover.disposition = av.stream.Disposition.attached_pic
        out.mux(cover.encode(av.VideoFrame.from_ndarray(picture(0, 1, size, size, 90),
                                                        format="rgb24")))
        out.mux(cover.encode())
        sound = voice(seconds, level_db)
        for start in range(0, sound.shape[1], 1152):
            frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(sound[:, start:start + 1152]),
                                               format="fltp", layout="mono")
            frame.sample_rate, frame.pts, frame.time_base = RATE, start, Fraction(1, RATE)
            out.mux(sound_stream.encode(frame))
        out.mux(sound_stream.encode())
    return path


#: The example's sources: file name -> (kind, fps, width, height, seconds, level dBFS).
EXAMPLE = {
    "practice.mp4": ("mp4", 50, 160, 120, 1.6, -10.0),
    "anger_recorded.webm": ("webm", 25, 320, 240, 2.0, -3.0),
    "joy_recorded.mov": ("mov", 30, 256, 144, 1.8, -20.0),
    "sadness_recorded.mkv": ("mkv", 24, 200, 200, 2.2, -28.0),
    "neutral_recorded.mp4": ("mp4", 50, 160, 120, 1.5, -15.0),
    "anger_synthetic.mov": ("mov", 30, 256, 144, 1.7, -6.0),
    "joy_synthetic.mkv": ("mkv", 24, 200, 200, 2.0, -12.0),
    "sadness_synthetic.webm": ("webm", 25, 320, 240, 2.4, -25.0),
    "neutral_synthetic.webm": ("webm", 25, 320, 240, 1.9, -18.0),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", help="folder for the source clips")
    out = Path(parser.parse_args().out)
    for seed, (name, (kind, fps, width, height, seconds, level)) in enumerate(EXAMPLE.items()):
        if (out / name).is_file():  # kept: Matroska/WebM files differ byte-wise every time
            continue
        source_clip(out / name, kind, fps=fps, width=width, height=height, seconds=seconds,
                    level_db=level, seed=seed)
        print(f"wrote {out / name}")


if __name__ == "__main__":
    main()
