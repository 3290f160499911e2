"""A rendered clip plays to its end in a real Chromium (H.264/AAC MP4, faststart)."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from generator.render.clips import clip_render
from generator.rig.character import characters

pytestmark = pytest.mark.browser
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def test_clip_plays_to_the_end_in_chromium(tmp_path):
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (make test installs it)")
    from playwright.sync_api import sync_playwright

    mery = characters()["Mery"]
    values = np.full((30, len(mery.rig.controls)), 0.3, dtype=np.float32)
    audio = (0.1 * np.sin(np.arange(16000 * 1.2) / 8)).astype(np.float32)
    clip = tmp_path / "clip.mp4"
    clip_render(mery, values, audio, clip, size=96)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run",
            "--autoplay-policy=no-user-gesture-required"])
        page = browser.new_page()
        page.goto(tmp_path.as_uri() + "/")
        result = page.evaluate("""(src) => new Promise((done) => {
            const v = document.createElement('video');
            v.muted = true;
            v.onerror = () => done({error: v.error && v.error.code});
            v.onended = () => done({ended: true, duration: v.duration, width: v.videoWidth});
            v.onloadedmetadata = () => v.play();
            v.src = src;
            setTimeout(() => done({timeout: v.currentTime}), 10000);
        })""", clip.as_uri())
        browser.close()
    assert result.get("ended"), result
    assert result["width"] == 96 and abs(result["duration"] - 1.2) < 0.05
