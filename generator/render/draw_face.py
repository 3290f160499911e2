"""Eyes, brows, nose, cheeks and skin folds, from the canonical pose.

Image right is the character's left, so ``...Left`` controls move the features
drawn on the right. Each Table 1 cue has a visible mark here: raised and
lowered brows, forehead wrinkles (brows up) and frown lines (brows down), lids
that widen, squint and blink with white above the iris when wide, nose wings
and creases that rise with a sneer, cheeks that lift, and nasolabial folds.
"""

from __future__ import annotations

import skia

from generator.render.draw_mouth import mouth_corners
from generator.render.shapes import fill, lerp, shade, spline, stroke
from generator.rig.character import Look

CX = 256.0
SIDES = ((-1, "Right"), (1, "Left"))  # (x sign on the image, control suffix)
EYE_WHITE = "#fbfaf7"
PUPIL = "#151515"


def _brow_base(look: Look) -> float:
    return look.eye_y - look.eye_ry - look.brow_gap


def eyes_draw(canvas: skia.Canvas, look: Look, p: dict) -> None:
    rx, ry, line = look.eye_rx, look.eye_ry, shade(look.skin, 0.35)
    for sign, side in SIDES:
        ex, ey = CX + sign * look.eye_spacing, look.eye_y
        blink, wide = p[f"eyeBlink{side}"], p[f"eyeWide{side}"]
        squint = p[f"eyeSquint{side}"]
        cheek = p[f"cheekSquint{side}"]
        shut_y = ey + 0.3 * ry
        upper_y = lerp(ey - ry * (0.95 + 0.5 * wide - 0.3 * squint), shut_y, blink)
        lower_y = lerp(ey + ry * (0.8 - 0.45 * squint - 0.25 * cheek), shut_y, blink)
        inner = (ex - sign * rx, ey + 0.12 * ry)
        outer = (ex + sign * rx, ey - 0.05 * ry)
        eye = skia.Path()
        eye.moveTo(*inner)
        up_ctrl = (upper_y - 0.25 * ey) / 0.75
        low_ctrl = (lower_y - 0.25 * ey) / 0.75
        eye.cubicTo(lerp(inner[0], outer[0], 0.2), up_ctrl, lerp(inner[0], outer[0], 0.8),
                    up_ctrl, *outer)
        eye.cubicTo(lerp(inner[0], outer[0], 0.8), low_ctrl, lerp(inner[0], outer[0], 0.2),
                    low_ctrl, *inner)
        eye.close()
        if lower_y - upper_y > 0.7:
            canvas.drawPath(eye, fill(EYE_WHITE))
            canvas.save()
            canvas.clipPath(eye, doAntiAlias=True)
            if sign > 0:
                gx = p["eyeLookOutLeft"] - p["eyeLookInLeft"]
            else:
                gx = p["eyeLookInRight"] - p["eyeLookOutRight"]
            gy = p[f"eyeLookUp{side}"] - p[f"eyeLookDown{side}"]
            ix, iy = ex + gx * rx * 0.5, ey - 0.08 * ry - gy * ry * 0.55
            r = look.iris_r
            canvas.drawCircle(ix, iy, r, fill(look.iris))
            canvas.drawCircle(ix, iy, r, stroke(shade(look.iris, 0.5), 1.5))
            canvas.drawCircle(ix, iy, r * 0.48, fill(PUPIL))
            canvas.drawCircle(ix + r * 0.35, iy - r * 0.38, r * 0.24, fill("#ffffff", 0.95))
            canvas.drawPath(eye, stroke(shade(look.skin, 0.8), 3.0, 0.35))  # lid shadow
            canvas.restore()
        lid = skia.Path()
        lid.moveTo(*inner)
        lid.cubicTo(lerp(inner[0], outer[0], 0.2), up_ctrl, lerp(inner[0], outer[0], 0.8),
                    up_ctrl, *outer)
        canvas.drawPath(lid, stroke(line, 3.6))
        if look.lashes:
            for t in (0.62, 0.8, 0.95):
                x = lerp(inner[0], outer[0], t)
                y = lerp(upper_y, outer[1], (t - 0.5) * 1.6) if t > 0.5 else upper_y
                canvas.drawLine(x, y, x + sign * 7, y - 7, stroke(line, 2.4))
        low = skia.Path()
        low.moveTo(*inner)
        low.cubicTo(lerp(inner[0], outer[0], 0.2), low_ctrl, lerp(inner[0], outer[0], 0.8),
                    low_ctrl, *outer)
        canvas.drawPath(low, stroke(line, 1.4, 0.55))
        # Upper lid crease (lifts away when wide) and the tight lower lid's crease.
        crease_y = upper_y - 8 - 5 * (1 - blink)
        crease = skia.Path()
        crease.moveTo(lerp(inner[0], outer[0], 0.15), crease_y + 5)
        crease.quadTo(ex, crease_y - 5, lerp(inner[0], outer[0], 0.9), crease_y + 4)
        canvas.drawPath(crease, stroke(shade(look.skin, 0.72), 1.8, 0.55))
        tight = max(squint, cheek)
        if tight > 0.05:
            bag = skia.Path()
            bag.moveTo(lerp(inner[0], outer[0], 0.1), lower_y + 7)
            bag.quadTo(ex, lower_y + 15, lerp(inner[0], outer[0], 0.9), lower_y + 5)
            canvas.drawPath(bag, stroke(shade(look.skin, 0.7), 2.0, 0.8 * tight))
        if look.age_lines:
            for k in (-1, 0, 1):
                canvas.drawLine(outer[0] + sign * 8, outer[1] + k * 6,
                                outer[0] + sign * 18, outer[1] + k * 9,
                                stroke(shade(look.skin, 0.75), 1.4, 0.6))


def brows_draw(canvas: skia.Canvas, look: Look, p: dict) -> None:
    base, colour = _brow_base(look), look.brow or shade(look.hair, 0.8)
    length, thick = look.brow_length, look.brow_thickness
    inner_up = p["browInnerUp"]
    for sign, side in SIDES:
        down, outer_up = p[f"browDown{side}"], p[f"browOuterUp{side}"]
        inner_x = CX + sign * (look.eye_spacing - 0.5 * length - 9 * down - 3 * inner_up)
        outer_x = CX + sign * (look.eye_spacing + 0.55 * length)
        inner_y = base - 26 * inner_up + 19 * down + 3
        outer_y = base - 22 * outer_up + 9 * down + 2 - 4 * inner_up * (1 - outer_up)
        mid_x = lerp(inner_x, outer_x, 0.55)
        mid_y = min(inner_y, outer_y) - 7 - 6 * outer_up + 5 * down * (1 - inner_up)
        top = [(inner_x, inner_y - thick * 0.55), (mid_x, mid_y - thick * 0.5),
               (outer_x, outer_y - thick * 0.2)]
        bottom = [(outer_x, outer_y + thick * 0.2), (mid_x, mid_y + thick * 0.5),
                  (inner_x, inner_y + thick * 0.5)]
        brow = skia.Path()
        spline(brow, top)
        spline(brow, bottom, start=False)
        brow.close()
        canvas.drawPath(brow, fill(colour))


def wrinkles_draw(canvas: skia.Canvas, look: Look, p: dict) -> None:
    """Forehead wrinkles (brows raised) and vertical frown lines (brows down)."""
    base, line = _brow_base(look), shade(look.skin, 0.68)
    outer_up = 0.5 * (p["browOuterUpLeft"] + p["browOuterUpRight"])
    raise_ = max(p["browInnerUp"], outer_up)
    alpha = min(1.0, max(0.0, 1.4 * raise_ - 0.3))
    if alpha > 0:
        half = 30 + 45 * outer_up
        for i in range(3):
            y = base - 34 - 11 * i
            w = half * (1 - 0.12 * i)
            path = skia.Path()
            path.moveTo(CX - w, y + 4)
            path.quadTo(CX, y - 6 - 5 * p["browInnerUp"], CX + w, y + 4)
            canvas.drawPath(path, stroke(line, 2.2, 0.75 * alpha))
    down = 0.5 * (p["browDownLeft"] + p["browDownRight"])
    alpha = min(1.0, max(0.0, 1.5 * down - 0.25))
    if alpha > 0:
        for sign in (-1, 1):
            canvas.drawLine(CX + sign * 8, base - 2, CX + sign * 5, base + 16,
                            stroke(line, 2.2, 0.8 * alpha))


def nose_draw(canvas: skia.Canvas, look: Look, p: dict) -> None:
    ny, ns, shadow = look.nose_y, look.nose_size, shade(look.skin, 0.7)
    bridge = skia.Path()
    bridge.moveTo(CX - ns * 0.35, ny - look.nose_length)
    bridge.quadTo(CX - ns * 0.9, ny - look.nose_length * 0.4, CX - ns * 0.75, ny - ns * 0.2)
    canvas.drawPath(bridge, stroke(shadow, 2.0, 0.35))
    for sign, side in SIDES:
        sneer = p[f"noseSneer{side}"]
        wx, wy = CX + sign * ns * 1.05, ny + ns * 0.25 - 8 * sneer
        wing = skia.Path()
        r = ns * 0.55 * (1 + 0.35 * sneer)
        wing.moveTo(wx - sign * r * 0.2, wy - r)
        wing.quadTo(wx + sign * r * 1.2, wy - r * 0.2, wx - sign * r * 0.3, wy + r * 0.9)
        canvas.drawPath(wing, stroke(shadow, 2.4, 0.85))
        canvas.drawOval(skia.Rect(CX + sign * ns * 0.45 - ns * 0.28, wy + ns * 0.2 - ns * 0.16,
                                  CX + sign * ns * 0.45 + ns * 0.28, wy + ns * 0.2 + ns * 0.16),
                        fill(shade(look.skin, 0.4), 0.9))
    sneer = 0.5 * (p["noseSneerLeft"] + p["noseSneerRight"])
    canvas.drawCircle(CX, ny - 3 * sneer, ns * 0.7, fill(shade(look.skin, 0.95)))
    canvas.drawCircle(CX + ns * 0.2, ny - ns * 0.3 - 3 * sneer, ns * 0.22, fill("#ffffff", 0.35))
    alpha = min(1.0, max(0.0, 1.5 * sneer - 0.2))
    if alpha > 0:  # nose creases across the bridge
        for i in range(3):
            y = ny - look.nose_length * 0.55 + 7 * i
            crease = skia.Path()
            crease.moveTo(CX - ns * 0.9, y + 2)
            crease.quadTo(CX, y - 4, CX + ns * 0.9, y + 2)
            canvas.drawPath(crease, stroke(shadow, 2.0, 0.85 * alpha))


def cheeks_draw(canvas: skia.Canvas, look: Look, p: dict) -> None:
    """Blush and cheek lift, nasolabial folds, freckles."""
    left, right = mouth_corners(look, p)
    fold_colour = shade(look.skin, 0.72)
    for (sign, side), corner in zip(SIDES, (left, right), strict=True):
        lift = p[f"cheekSquint{side}"]
        smile = p[f"mouthSmile{side}"]
        cx = CX + sign * (look.eye_spacing + 12)
        cy = look.eye_y + look.eye_ry + 42 - 14 * lift - 6 * smile
        radius = 30 * (1 + 0.45 * p["cheekPuff"] + 0.1 * lift)
        r, g, b = (230, 110, 110)
        shader = skia.GradientShader.MakeRadial(
            skia.Point(cx, cy), radius,
            [skia.Color(r, g, b, int(255 * look.blush * (0.7 + 0.6 * lift))),
             skia.Color(r, g, b, 0)])
        canvas.drawCircle(cx, cy, radius, skia.Paint(AntiAlias=True, Shader=shader))
        if lift > 0.05:  # the steep upper edge of a lifted cheek
            edge = skia.Path()
            edge.moveTo(cx + sign * 26, cy - 6)
            edge.quadTo(cx + sign * 5, cy - 20, cx - sign * 26, cy - 12)
            canvas.drawPath(edge, stroke(fold_colour, 2.0, 0.7 * lift))
        fold = max(smile, p[f"noseSneer{side}"], p[f"mouthUpperUp{side}"] * 0.8,
                   lift * 0.8, p[f"mouthFrown{side}"] * 0.6)
        if fold > 0.05:
            start = (CX + sign * look.nose_size * 1.6, look.nose_y)
            end = (corner[0] + sign * 8, corner[1] - 2)
            path = skia.Path()
            path.moveTo(*start)
            path.quadTo(end[0] + sign * 10 * (1 + smile), lerp(start[1], end[1], 0.3), *end)
            canvas.drawPath(path, stroke(fold_colour, 2.3, 0.85 * min(1.0, fold)))
    if look.freckles:
        for sign in (-1, 1):
            for dx, dy in ((0, 0), (12, 6), (-10, 8), (6, 16), (20, -4), (-4, -9)):
                canvas.drawCircle(CX + sign * (look.eye_spacing + 8 + dx),
                                  look.eye_y + look.eye_ry + 28 + dy, 2.2,
                                  fill(shade(look.skin, 0.7), 0.7))
