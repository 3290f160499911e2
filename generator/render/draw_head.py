"""Head, ears, neck and shoulders, and the hair styles a spec can name.

The chin follows the jaw (jawOpen drops it by part of ``jaw_drop``) so an
open mouth reads as an open jaw, not a hole in a rigid mask.
"""

from __future__ import annotations

import skia

from generator.render.shapes import fill, lerp, shade, spline, stroke
from generator.rig.character import Look

CX = 256.0


def head_path(look: Look, jaw: float, puff: float) -> skia.Path:
    """The face outline; ``jaw`` (jawOpen) drops the chin, ``puff`` (cheekPuff) bulges it."""
    top, hw, cy = look.head_top, look.head_width, look.cheek_y
    bulge = 12 * puff
    chin_y = look.chin_y + 0.55 * jaw * look.jaw_drop
    jaw_y = lerp(cy, chin_y, 0.62) + 0.3 * jaw * look.jaw_drop
    chin_half = lerp(14, look.jaw_width * 0.7, look.chin_round)
    right = [(CX, top), (CX + hw * 0.72, top + (cy - top) * 0.12),
             (CX + hw, cy - (cy - top) * 0.25), (CX + hw * 0.98 + bulge, cy + 12),
             (CX + look.jaw_width + bulge, jaw_y), (CX + chin_half, chin_y - 6), (CX, chin_y)]
    left = [(2 * CX - x, y) for x, y in reversed(right)]
    path = skia.Path()
    spline(path, right + left[1:], tension=1.0)
    path.close()
    return path


def body_draw(canvas: skia.Canvas, look: Look) -> None:
    neck = look.jaw_width * 0.55
    canvas.drawRect(skia.Rect(CX - neck, look.chin_y - 80, CX + neck, 512),
                    fill(shade(look.skin, 0.82)))
    shoulders = skia.Path()
    shoulders.moveTo(CX - 230, 520)
    shoulders.cubicTo(CX - 220, 470, CX - 150, 468, CX - neck, 468)
    shoulders.lineTo(CX + neck, 468)
    shoulders.cubicTo(CX + 150, 468, CX + 220, 470, CX + 230, 520)
    shoulders.close()
    canvas.drawPath(shoulders, fill(look.shirt))
    collar = skia.Path()
    collar.moveTo(CX - neck, 468)
    collar.quadTo(CX, 500, CX + neck, 468)
    canvas.drawPath(collar, stroke(shade(look.shirt, 0.7), 4))


def ears_draw(canvas: skia.Canvas, look: Look) -> None:
    for sign in (-1, 1):
        x, y, r = CX + sign * (look.head_width - 6), look.eye_y + 22, look.ear_size
        canvas.drawOval(skia.Rect(x - r * 0.55, y - r, x + r * 0.55, y + r), fill(look.skin))
        canvas.drawOval(skia.Rect(x - r * 0.25 + sign * 4, y - r * 0.6, x + r * 0.25 + sign * 4,
                                  y + r * 0.55), fill(shade(look.skin, 0.8)))


def head_draw(canvas: skia.Canvas, look: Look, head: skia.Path) -> None:
    """The face in skin colour with a soft shadow down its image-left side."""
    canvas.drawPath(head, fill(look.skin))
    shader = skia.GradientShader.MakeLinear(
        [skia.Point(CX - look.head_width, 0), skia.Point(CX - look.head_width * 0.55, 0)],
        [skia.Color(0, 0, 0, 38), skia.Color(0, 0, 0, 0)])
    canvas.drawPath(head, skia.Paint(AntiAlias=True, Shader=shader))


def _cap(look: Look, fringe_y: float, side_y: float, lift: float, part: float) -> skia.Path:
    """Hair over the crown: outer edge above the head, lower edge at ``fringe_y``.

    ``part`` shifts the fringe's low point left (-) or right (+), a side part.
    """
    top, hw = look.head_top, look.head_width
    cap = skia.Path()
    spline(cap, [(CX - hw - 8, side_y), (CX - hw - 2, lerp(top, side_y, 0.35)),
                 (CX - hw * 0.6, top - lift * 0.8), (CX, top - lift),
                 (CX + hw * 0.6, top - lift * 0.8), (CX + hw + 2, lerp(top, side_y, 0.35)),
                 (CX + hw + 8, side_y)])
    spline(cap, [(CX + hw - 12, side_y), (CX + hw * 0.8, fringe_y - 4 - 12 * part),
                 (CX + part * hw * 0.4, fringe_y + 6), (CX - hw * 0.8, fringe_y - 4 + 12 * part),
                 (CX - hw + 12, side_y)], start=False)
    cap.close()
    return cap


def hair_back_draw(canvas: skia.Canvas, look: Look) -> None:
    style, top, hw, colour = look.hair_style, look.head_top, look.head_width, look.hair
    if style == "bob":
        canvas.drawRRect(skia.RRect.MakeRectXY(
            skia.Rect(CX - hw - 26, top - 22, CX + hw + 26, look.cheek_y + 80), 90, 90),
            fill(colour))
    elif style == "long":  # frames the face and falls to the shoulders, the neck left clear
        right = [(CX, top - 24), (CX + hw * 0.8, top - 8), (CX + hw + 30, top + 90),
                 (CX + hw + 36, look.cheek_y + 60), (CX + hw + 44, 470), (CX + hw + 8, 500),
                 (CX + look.jaw_width * 0.75, look.chin_y - 40)]
        left = [(2 * CX - x, y) for x, y in reversed(right)]
        hair = skia.Path()
        spline(hair, right + left)
        hair.close()
        canvas.drawPath(hair, fill(colour))
    elif style == "pigtails":
        for sign in (-1, 1):
            x, y = CX + sign * (hw + 34), look.cheek_y + 10
            canvas.drawOval(skia.Rect(x - 34, y - 70, x + 34, y + 80), fill(colour))
            canvas.drawCircle(CX + sign * (hw + 10), look.eye_y - 45, 12, fill("#e0457b"))
    elif style == "afro":
        canvas.drawCircle(CX, top + 85, hw + 62, fill(colour))
    elif style == "bun":
        canvas.drawCircle(CX, top - 28, 48, fill(colour))


def hair_front_draw(canvas: skia.Canvas, look: Look) -> None:
    style, top, hw, colour = look.hair_style, look.head_top, look.head_width, look.hair
    span = look.eye_y - top
    dark = stroke(shade(colour, 0.7), 2.5)
    if style in ("bob", "pigtails", "long"):
        fringe = top + span * (0.42 if style != "long" else 0.38)
        part = 0.6 if style == "long" else 0.0
        cap = _cap(look, fringe, look.cheek_y - (40 if style == "pigtails" else 0), 16, part)
        canvas.drawPath(cap, fill(colour))
        for dx in (-0.45, -0.1, 0.3):
            strand = skia.Path()
            strand.moveTo(CX + dx * hw, top - 8)
            strand.quadTo(CX + (dx + 0.1) * hw, fringe - 30, CX + (dx - 0.05) * hw, fringe - 2)
            canvas.drawPath(strand, dark)
    elif style == "spiky":
        base = top + span * 0.3
        spikes = [(CX - hw - 6, look.eye_y - 40)]
        for i in range(9):
            t = i / 8
            x = lerp(CX - hw, CX + hw, t)
            arc = top - 10 - 30 * (1 - (2 * t - 1) ** 2)
            spikes += [(x - 14, arc + 22), (x + 8 * (t - 0.5), arc - 30)]
        spikes += [(CX + hw + 6, look.eye_y - 40), (CX + hw - 14, base),
                   (CX, base + 10), (CX - hw + 14, base)]
        path = skia.Path()
        path.moveTo(*spikes[0])
        for point in spikes[1:]:
            path.lineTo(*point)
        path.close()
        canvas.drawPath(path, fill(colour))
    elif style == "bald":
        for sign in (-1, 1):
            x = CX + sign * (hw - 4)
            canvas.drawOval(skia.Rect(x - 20, look.eye_y - 70, x + 20, look.eye_y + 10),
                            fill(colour))
        canvas.drawOval(skia.Rect(CX - 50, top + 12, CX + 10, top + 40),
                        fill("#ffffff", 0.25))
    elif style in ("afro", "short", "bun"):
        fringe = top + span * (0.3 if style == "afro" else 0.33)
        part = 0.5 if style == "short" else 0.0
        canvas.drawPath(_cap(look, fringe, look.eye_y - 10, 22 if style == "afro" else 8,
                             part), fill(colour))
