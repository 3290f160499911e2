"""Clips decode back with the right codecs, frame rate, frame count and audio length."""

from __future__ import annotations

import av
import numpy as np

from generator.render.video import clip_write


def _probe(path):
    with av.open(str(path)) as container:
        video, audio = container.streams.video[0], container.streams.audio[0]
        info = {"vcodec": video.codec_context.name, "pix_fmt": video.codec_context.pix_fmt,
                "rate": video.average_rate, "size": (video.width, video.height),
                "acodec": audio.codec_context.name}
        info["frames"] = sum(1 for _ in container.decode(video=0))
    with av.open(str(path)) as container:
        info["audio_s"] = sum(f.samples for f in container.decode(audio=0)) / 48000
    return info


def test_clip_decodes_with_the_promised_format(tmp_path):
    frames = np.random.default_rng(0).integers(0, 255, (37, 48, 64, 4), dtype=np.uint8)
    audio = np.sin(np.arange(16000 * 2) / 10).astype(np.float32) * 0.3  # 2 s for 1.48 s of video
    path = tmp_path / "c.mp4"
    assert clip_write(path, iter(frames), audio) == 37
    info = _probe(path)
    assert info["vcodec"] == "h264" and info["pix_fmt"] == "yuv420p"
    assert info["acodec"] == "aac" and info["rate"] == 25
    assert info["size"] == (64, 48) and info["frames"] == 37
    assert abs(info["audio_s"] - 37 / 25) <= 1 / 25  # audio trimmed to the picture
    data = path.read_bytes()
    assert data.index(b"moov") < data.index(b"mdat")  # faststart: index first
    assert [p.name for p in tmp_path.iterdir()] == ["c.mp4"]  # no temporary left


def test_short_audio_is_padded_to_the_picture(tmp_path):
    frames = np.zeros((50, 32, 32, 4), dtype=np.uint8)
    path = clip_write(tmp_path / "c.mp4", frames, np.zeros(1600, np.float32)) and tmp_path / "c.mp4"
    assert abs(_probe(path)["audio_s"] - 2.0) <= 1 / 25
