"""The mouth: lips, teeth, tongue and mouth interior, from the canonical pose.

Geometry (512-unit canvas): the corners move out with smile/stretch and in
with pucker/funnel, up with smile and down with frown; the lips part with
jawOpen, mouthUpperUp (upper lip up, upper teeth and gum show) and
mouthLowerDown (lower lip down, lower teeth show), and mouthClose presses them
together whatever the jaw does. Upper lip raise, lower lip pull and stretch
square the opening (anger, disgust); funnel and pucker round it (surprise, "oo").
"""

from __future__ import annotations

import skia

from generator.render.shapes import Point, cubic_point, fill, lerp, shade, spline, stroke
from generator.rig.character import Look

MOUTH_INSIDE = "#4a1820"
TEETH = "#f8f6ef"
GUM = "#d9767c"
TONGUE = "#c8525e"


def _mean(p: dict, name: str) -> float:
    return 0.5 * (p[f"{name}Left"] + p[f"{name}Right"])


def mouth_corners(look: Look, p: dict) -> tuple[Point, Point]:
    """(image-left corner, image-right corner); image right is the character's left."""
    cx, w = 256.0, look.mouth_width
    corners = []
    for sign, side in ((-1, "Right"), (1, "Left")):
        smile, frown = p[f"mouthSmile{side}"], p[f"mouthFrown{side}"]
        stretch, press = p[f"mouthStretch{side}"], p[f"mouthPress{side}"]
        narrow = 1 - 0.3 * p["mouthPucker"] - 0.22 * p["mouthFunnel"]  # at most to 0.48
        width = w * (1 + 0.32 * smile + 0.38 * stretch + 0.06 * press) * narrow
        y = (look.mouth_y - 17 * smile + 14 * frown + 3 * stretch
             + 0.22 * p["jawOpen"] * look.jaw_drop)
        corners.append((cx + sign * width, y))
    return corners[0], corners[1]


def _curve(left: Point, right: Point, mid_y: float, roundness: float):
    """Control points of a cubic from corner to corner whose middle lies at ``mid_y``."""
    corner_y = 0.5 * (left[1] + right[1])
    ctrl_y = (mid_y - 0.25 * corner_y) / 0.75
    span = right[0] - left[0]
    return (left, (left[0] + span * roundness, ctrl_y), (right[0] - span * roundness, ctrl_y),
            right)


def mouth_draw(canvas: skia.Canvas, look: Look, p: dict) -> None:
    cx, my, jd = 256.0, look.mouth_y, look.jaw_drop
    left, right = mouth_corners(look, p)
    upper_up, lower_down = _mean(p, "mouthUpperUp"), _mean(p, "mouthLowerDown")
    stretch, press, smile = _mean(p, "mouthStretch"), _mean(p, "mouthPress"), _mean(p, "mouthSmile")
    jaw, funnel, pucker = p["jawOpen"], p["mouthFunnel"], p["mouthPucker"]
    apart = 1.0 - p["mouthClose"]
    upper_in = my - apart * (14 * upper_up + 0.1 * jaw * jd + 5 * funnel) - 2 * smile
    lower_in = my + apart * (jaw * jd + 14 * lower_down + 7 * funnel) - 2 * smile
    square = min(1.0, 0.9 * upper_up + 0.9 * lower_down + 0.6 * stretch) * (1 - funnel)
    roundness = 0.28 - 0.22 * square + 0.12 * funnel + 0.08 * pucker
    top = _curve(left, right, upper_in, roundness)
    bottom = _curve(left, right, lower_in, roundness)

    inner = skia.Path()
    inner.moveTo(*left)
    inner.cubicTo(*top[1], *top[2], *right)
    inner.cubicTo(*bottom[2], *bottom[1], *left)
    inner.close()

    if lower_in - upper_in > 0.8:
        canvas.drawPath(inner, fill(MOUTH_INSIDE))
        canvas.save()
        canvas.clipPath(inner, doAntiAlias=True)
        half = look.mouth_width * 0.9
        tongue_y = lerp(my + 0.85 * jaw * jd + 6, my + 3, p["tongueOut"])
        tongue = skia.Rect(cx - half * 0.7, tongue_y - 8, cx + half * 0.7, tongue_y + 22)
        if p["tongueOut"] < 0.3:
            canvas.drawOval(tongue, fill(TONGUE))
        canvas.drawRect(skia.Rect(cx - half * 1.2, my - 40, cx + half * 1.2, my - 12), fill(GUM))
        canvas.drawRRect(skia.RRect.MakeRectXY(
            skia.Rect(cx - half, my - 16, cx + half, my + 4), 4, 4), fill(TEETH))
        lower_top = my + 0.85 * jaw * jd + 1
        canvas.drawRRect(skia.RRect.MakeRectXY(
            skia.Rect(cx - half * 0.85, lower_top, cx + half * 0.85, lower_top + 16), 4, 4),
            fill(TEETH))
        gap = stroke("#c9c3b8", 1.2)
        for i in (-2, -1, 0, 1, 2):
            x = cx + i * half * 0.34
            canvas.drawLine(x, my - 10, x, my + 4, gap)
            canvas.drawLine(x * 0.9 + cx * 0.1, lower_top, x * 0.9 + cx * 0.1, lower_top + 9, gap)
        if p["tongueOut"] >= 0.3:
            canvas.drawOval(tongue, fill(TONGUE))
        canvas.restore()

    # Lips: the outer outline with the opening cut out (even-odd).
    thick_up = max(1.5, look.lip_upper * (1 - 0.55 * press - 0.6 * p["mouthRollUpper"]
                                          + 0.6 * pucker + 0.35 * funnel) * (1 - 0.25 * smile))
    thick_low = max(1.5, look.lip_lower * (1 - 0.55 * press - 0.7 * p["mouthRollLower"]
                                           + 0.5 * pucker + 0.3 * funnel) * (1 - 0.2 * smile))
    upper_pts = [left] + [
        (x, y - thick_up * k) for (x, y), k in
        ((cubic_point(*top, 0.27), 1.05), (cubic_point(*top, 0.5), 0.75),
         (cubic_point(*top, 0.73), 1.05))
    ] + [right]
    lower_pts = [right] + [
        (x, y + thick_low * k) for (x, y), k in
        ((cubic_point(*bottom, 0.75), 0.85), (cubic_point(*bottom, 0.5), 1.0),
         (cubic_point(*bottom, 0.25), 0.85))
    ] + [left]
    lips = skia.Path()
    spline(lips, upper_pts, tension=1.0)
    spline(lips, lower_pts, start=False, tension=1.0)
    lips.close()
    lips.addPath(inner)
    lips.setFillType(skia.PathFillType.kEvenOdd)
    canvas.drawPath(lips, fill(look.lips))
    lower_shine = cubic_point(*bottom, 0.5)
    canvas.drawOval(skia.Rect(lower_shine[0] - 9, lower_shine[1] + thick_low * 0.25,
                              lower_shine[0] + 9, lower_shine[1] + thick_low * 0.6),
                    fill("#ffffff", 0.25))

    line = skia.Path()
    line.moveTo(*left)
    line.cubicTo(*top[1], *top[2], *right)
    canvas.drawPath(line, stroke(shade(look.lips, 0.55), 2.2))
    # Corner creases: dimples with a smile, a pulled line with a frown.
    crease = stroke(shade(look.skin, 0.7), 2.0, 0.2 + 0.6 * max(smile, _mean(p, "mouthFrown")))
    for corner, sign in ((left, -1), (right, 1)):
        dip = 6 * (_mean(p, "mouthFrown") - smile)
        arc = skia.Path()
        arc.moveTo(corner[0] + sign * 2, corner[1] - 7)
        arc.quadTo(corner[0] + sign * 8, corner[1], corner[0] + sign * 3, corner[1] + 7 + dip)
        canvas.drawPath(arc, crease)
