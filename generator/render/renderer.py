"""The 2D vector renderer: a character's look + a canonical pose -> an RGBA frame.

Drawn with skia (anti-aliased paths) straight into a numpy buffer, in
512-unit coordinates scaled to the requested size. A rig track of the
character's own controls is first mapped back to canonical deformation by the
character's rig (``CharacterRig.to_canonical``), so what is drawn is what the
character's rig can express.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import skia

from generator.render import draw_face, draw_head, draw_mouth
from generator.render.shapes import rgb, shade
from generator.rig.character import Character
from generator.rig.controls import CONTROLS, rest_pose

DEFAULT_SIZE = 512
# Head motion per unit of (control - 0.5): degrees of roll, units of shift.
ROLL_DEG, HEAD_SHIFT, FEATURE_SHIFT = 60.0, 50.0, 30.0


class Renderer:
    """Draws one character at one size; reuse it for every frame of a clip."""

    def __init__(self, character: Character, size: int = DEFAULT_SIZE) -> None:
        if size < 32:
            raise ValueError(f"frame size {size} is too small (at least 32)")
        self.character, self.look, self.size = character, character.look, size
        self.buffer = np.zeros((size, size, 4), dtype=np.uint8)
        self.surface = skia.Surface(self.buffer, colorType=skia.kRGBA_8888_ColorType)
        # The backdrop and shoulders never move: drawn once, copied into every frame.
        top, bottom = rgb(shade(self.look.background, 1.25)), rgb(self.look.background)
        gradient = skia.Paint(Shader=skia.GradientShader.MakeLinear(
            [skia.Point(0, 0), skia.Point(0, 512)],
            [skia.Color(*top), skia.Color(*bottom)]))
        canvas = self.surface.getCanvas()
        canvas.save()
        canvas.scale(size / 512, size / 512)
        canvas.drawRect(skia.Rect(0, 0, 512, 512), gradient)
        draw_head.body_draw(canvas, self.look)
        canvas.restore()
        self.surface.flushAndSubmit()
        self.backdrop = self.buffer.copy()

    def draw(self, canvas: skia.Canvas, pose: np.ndarray) -> None:
        """Draw a (C,) canonical pose on a 512-unit canvas over the backdrop."""
        look = self.look
        p = dict(zip(CONTROLS, pose.tolist(), strict=True))
        yaw, pitch, roll = p["headYaw"] - 0.5, p["headPitch"] - 0.5, p["headRoll"] - 0.5
        canvas.save()
        canvas.rotate(roll * ROLL_DEG, 256, look.chin_y)
        canvas.translate(yaw * HEAD_SHIFT, -pitch * HEAD_SHIFT)
        draw_head.hair_back_draw(canvas, look)
        draw_head.ears_draw(canvas, look)
        head = draw_head.head_path(look, p["jawOpen"], p["cheekPuff"])
        draw_head.head_draw(canvas, look, head)
        canvas.save()
        canvas.translate(yaw * FEATURE_SHIFT, -pitch * FEATURE_SHIFT)
        draw_face.wrinkles_draw(canvas, look, p)
        draw_face.cheeks_draw(canvas, look, p)
        draw_face.eyes_draw(canvas, look, p)
        draw_face.nose_draw(canvas, look, p)
        draw_mouth.mouth_draw(canvas, look, p)
        canvas.restore()
        draw_head.hair_front_draw(canvas, look)
        canvas.translate(yaw * FEATURE_SHIFT, -pitch * FEATURE_SHIFT)
        draw_face.brows_draw(canvas, look, p)
        canvas.restore()

    def frame(self, pose: np.ndarray) -> np.ndarray:
        """(H, W, 4) RGBA of one canonical pose. The buffer is reused: copy to keep it."""
        np.copyto(self.buffer, self.backdrop)
        canvas = self.surface.getCanvas()
        canvas.save()
        canvas.scale(self.size / 512, self.size / 512)
        self.draw(canvas, pose)
        canvas.restore()
        self.surface.flushAndSubmit()
        return self.buffer

    def frames(self, canonical: np.ndarray) -> Iterator[np.ndarray]:
        """Frames of a (T, C) canonical track (each yielded buffer is reused)."""
        for pose in canonical:
            yield self.frame(pose)

    def still(self, pose: np.ndarray | None = None) -> np.ndarray:
        """A copy of one frame (the rest pose by default)."""
        return self.frame(rest_pose() if pose is None else pose).copy()
