"""2D facial landmarks of a drawn face, for the EVP-style baseline.

EVP [26] works in 2D landmark space. The renderer draws every face from its
``Look`` and a canonical pose with closed-form geometry (``draw_face``,
``draw_mouth``, ``draw_head``); this module evaluates the same formulas at 30
named points (512-unit canvas, before head motion, which the baseline does not
model), vectorised over frames. Points:

- brows: inner, middle, outer, per side (6);
- eyes: inner and outer corner, upper and lower lid middle, iris centre, per side (10);
- nose: tip and both wings (3);
- cheeks: the blush centre, per side (2);
- mouth: both corners, upper and lower lip middle (outer), the inner edges of
  both lips (6);
- chin and both jaw corners (3).
"""

from __future__ import annotations

import numpy as np

from generator.render.draw_mouth import mouth_corners
from generator.rig.character import Look
from generator.rig.controls import CONTROLS

CX = 256.0
SIDES = ((-1, "Right"), (1, "Left"))  # (x sign on the image, control suffix), as draw_face
N_POINTS = 30
UPPER_INNER, LOWER_INNER = 25, 26  # inner edges of the lips (the mouth opening)


def _lerp(a, b, t):
    return a + (b - a) * t


def landmarks(look: Look, track: np.ndarray) -> np.ndarray:
    """(T, C) canonical track -> (T, 30, 2) landmark positions in 512 units."""
    p = {name: track[:, i].astype(np.float64) for i, name in enumerate(CONTROLS)}
    points = []
    # brows (draw_face.brows_draw)
    base = look.eye_y - look.eye_ry - look.brow_gap
    for sign, side in SIDES:
        down, outer_up, inner_up = p[f"browDown{side}"], p[f"browOuterUp{side}"], p["browInnerUp"]
        inner_x = CX + sign * (look.eye_spacing - 0.5 * look.brow_length - 9 * down - 3 * inner_up)
        outer_x = CX + sign * (look.eye_spacing + 0.55 * look.brow_length) + 0 * down
        inner_y = base - 26 * inner_up + 19 * down + 3
        outer_y = base - 22 * outer_up + 9 * down + 2 - 4 * inner_up * (1 - outer_up)
        mid_y = np.minimum(inner_y, outer_y) - 7 - 6 * outer_up + 5 * down * (1 - inner_up)
        points += [(inner_x, inner_y), (_lerp(inner_x, outer_x, 0.55), mid_y), (outer_x, outer_y)]
    # eyes (draw_face.eyes_draw)
    rx, ry = look.eye_rx, look.eye_ry
    for sign, side in SIDES:
        ex, ey = CX + sign * look.eye_spacing, look.eye_y
        blink, wide, squint = p[f"eyeBlink{side}"], p[f"eyeWide{side}"], p[f"eyeSquint{side}"]
        shut_y = ey + 0.3 * ry
        upper_y = _lerp(ey - ry * (0.95 + 0.5 * wide - 0.3 * squint), shut_y, blink)
        lower_y = _lerp(ey + ry * (0.8 - 0.45 * squint - 0.25 * p[f"cheekSquint{side}"]),
                        shut_y, blink)
        if sign > 0:
            gx = p["eyeLookOutLeft"] - p["eyeLookInLeft"]
        else:
            gx = p["eyeLookInRight"] - p["eyeLookOutRight"]
        gy = p[f"eyeLookUp{side}"] - p[f"eyeLookDown{side}"]
        zero = 0 * blink
        points += [(ex - sign * rx + zero, ey + 0.12 * ry + zero),
                   (ex + sign * rx + zero, ey - 0.05 * ry + zero),
                   (ex + zero, upper_y), (ex + zero, lower_y),
                   (ex + gx * rx * 0.5, ey - 0.08 * ry - gy * ry * 0.55)]
    # nose (draw_face.nose_draw)
    ny, ns = look.nose_y, look.nose_size
    sneer = 0.5 * (p["noseSneerLeft"] + p["noseSneerRight"])
    points.append((CX + 0 * sneer, ny - 3 * sneer))
    for sign, side in SIDES:
        points.append((CX + sign * ns * 1.05 + 0 * sneer, ny + ns * 0.25 - 8 * p[f"noseSneer{side}"]))
    # cheeks (draw_face.cheeks_draw)
    for sign, side in SIDES:
        lift, smile = p[f"cheekSquint{side}"], p[f"mouthSmile{side}"]
        points.append((CX + sign * (look.eye_spacing + 12) + 0 * lift,
                       look.eye_y + look.eye_ry + 42 - 14 * lift - 6 * smile))
    # mouth (draw_mouth.mouth_draw)
    my, jd = look.mouth_y, look.jaw_drop
    (lx, ly), (rx_, ry_) = mouth_corners(look, p)
    upper_up = 0.5 * (p["mouthUpperUpLeft"] + p["mouthUpperUpRight"])
    lower_down = 0.5 * (p["mouthLowerDownLeft"] + p["mouthLowerDownRight"])
    smile = 0.5 * (p["mouthSmileLeft"] + p["mouthSmileRight"])
    jaw, funnel = p["jawOpen"], p["mouthFunnel"]
    apart = 1.0 - p["mouthClose"]
    upper_in = my - apart * (14 * upper_up + 0.1 * jaw * jd + 5 * funnel) - 2 * smile
    lower_in = my + apart * (jaw * jd + 14 * lower_down + 7 * funnel) - 2 * smile
    zero = 0 * jaw
    points += [(lx + zero, ly + zero), (rx_ + zero, ry_ + zero),
               (CX + zero, upper_in - look.lip_upper - 3 * p["mouthPucker"]),
               (CX + zero, lower_in + look.lip_lower + 3 * p["mouthPucker"]),
               (CX + zero, upper_in), (CX + zero, lower_in)]
    # chin and jaw (draw_head.head_path)
    chin_y = look.chin_y + 0.55 * jaw * jd
    jaw_y = _lerp(look.cheek_y, chin_y, 0.62) + 0.3 * jaw * jd
    bulge = 12 * p["cheekPuff"]
    points += [(CX + zero, chin_y), (CX - look.jaw_width - bulge, jaw_y),
               (CX + look.jaw_width + bulge, jaw_y)]
    out = np.stack([np.stack([np.broadcast_to(x, jaw.shape), np.broadcast_to(y, jaw.shape)], -1)
                    for x, y in points], axis=1)
    return out.astype(np.float32)


def face_scale(look: Look) -> np.ndarray:
    """(2,) the face's size along x and y: eye spacing and eye-to-mouth distance."""
    return np.array([look.eye_spacing, look.mouth_y - look.eye_y], dtype=np.float32)
