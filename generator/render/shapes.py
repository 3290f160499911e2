"""Drawing helpers shared by the face-part painters: colours, paints, smooth paths."""

from __future__ import annotations

from functools import cache

import skia

Point = tuple[float, float]


@cache
def rgb(hex_colour: str) -> tuple[int, int, int]:
    value = hex_colour.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def shade(hex_colour: str, factor: float) -> str:
    """A darker (factor < 1) or lighter (factor > 1, toward white) version of a colour."""
    r, g, b = rgb(hex_colour)
    if factor <= 1:
        r, g, b = (int(c * factor) for c in (r, g, b))
    else:
        t = factor - 1
        r, g, b = (int(c + (255 - c) * t) for c in (r, g, b))
    return f"#{min(r, 255):02x}{min(g, 255):02x}{min(b, 255):02x}"


@cache
def _paint(hex_colour: str, alpha: int, stroke: float) -> skia.Paint:
    r, g, b = rgb(hex_colour)
    paint = skia.Paint(AntiAlias=True, Color=skia.Color(r, g, b, alpha))
    if stroke > 0:
        paint.setStyle(skia.Paint.kStroke_Style)
        paint.setStrokeWidth(stroke)
        paint.setStrokeCap(skia.Paint.kRound_Cap)
        paint.setStrokeJoin(skia.Paint.kRound_Join)
    return paint


def fill(hex_colour: str, alpha: float = 1.0) -> skia.Paint:
    """A cached anti-aliased fill paint (alpha quantised to 1/255)."""
    return _paint(hex_colour, int(max(0.0, min(1.0, alpha)) * 255), 0.0)


def stroke(hex_colour: str, width: float, alpha: float = 1.0) -> skia.Paint:
    """A cached anti-aliased round-capped stroke paint (width quantised to 1/4 unit)."""
    return _paint(hex_colour, int(max(0.0, min(1.0, alpha)) * 255), round(width * 4) / 4)


def lerp(a: float, b: float, t: float) -> float:
    return a + (b - a) * t


def spline(path: skia.Path, points: list[Point], *, start: bool = True,
           tension: float = 1.0) -> skia.Path:
    """Append a Catmull-Rom spline through ``points`` as cubic Beziers."""
    if start:
        path.moveTo(*points[0])
    else:
        path.lineTo(*points[0])
    k = tension / 6.0
    for i in range(len(points) - 1):
        p0 = points[max(i - 1, 0)]
        p1, p2 = points[i], points[i + 1]
        p3 = points[min(i + 2, len(points) - 1)]
        path.cubicTo(p1[0] + (p2[0] - p0[0]) * k, p1[1] + (p2[1] - p0[1]) * k,
                     p2[0] - (p3[0] - p1[0]) * k, p2[1] - (p3[1] - p1[1]) * k, p2[0], p2[1])
    return path


def cubic_point(p0: Point, p1: Point, p2: Point, p3: Point, t: float) -> Point:
    u = 1 - t
    a, b, c, d = u * u * u, 3 * u * u * t, 3 * u * t * t, t * t * t
    return (a * p0[0] + b * p1[0] + c * p2[0] + d * p3[0],
            a * p0[1] + b * p1[1] + c * p2[1] + d * p3[1])
