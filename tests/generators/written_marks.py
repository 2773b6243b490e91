"""The marks people write inside and after numbers, drawn in the pen's ink by code.

An amount is written `18.056`, `443.000=`, `200.-`, `12,5`, `-150`, `$ 25`, `1'500`, `12:30`,
`300/-`, `75—` or with a wavy end mark (`75~`): `make_numbers.make_number` writes a
`Look.marks` share of its numbers so, and the line reader learns the marks as symbols of their
own (`digitcli.reading.lines.MARKS`), never as digits. `pattern` says where each mark goes in a
number of n digits; `draw_mark` draws one between two digits' boxes, or before the first or
after the last.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
from PIL import Image, ImageDraw

# The marks (as `lines.MARKS` spells them): "—" a long dash, "~" a wavy end mark.
INNER = (".", ",", "'", ":")  # between digits: thousands, decimals, a time
ENDS = ("=", ".-", ",-", "-", "—", "~", "/-", ".", ":-")  # after the last digit
LEADS = ("-", "$")  # before the first digit: a minus, a currency sign
# The room each mark takes on the line, as a share of the digits' height.
WIDTH = {".": 0.3, ",": 0.3, "'": 0.3, ":": 0.3, "-": 0.5, "=": 0.55, "/": 0.5, "~": 0.7,
         "—": 1.0, "$": 0.6}  # fmt: skip
# How far a mark reaches beyond the digits' top or bottom, as a share of their span (the
# highest top to the lowest foot): a comma's tail below them (0.3 and half a pen), a
# cheque's slash above them (`amounts`). `make_numbers` gives it room so far beyond its
# canvas, which is at least as tall as the span.
REACH = 0.4
DOT = (0.55, 0.9)  # a dot's radius, as a share of the pen's width
SMALL_DOT = (0.3, 0.9)  # ... down to a tap of the pen (`make_numbers.Look.small_dots`)


def pattern(count: int, rng: np.random.Generator) -> list[str]:
    """For a number of `count` digits: the marks written after each of its digits (the last
    one's are its end mark), and before the first (`[0]`): count + 1 strings, most empty,
    at least one not."""
    marks = [""] * (count + 1)
    style = rng.random()
    if style < 0.55 and count >= 2:  # separators inside
        sep = str(rng.choice(INNER, p=(0.4, 0.35, 0.1, 0.15)))
        if sep == ":" or rng.random() < 0.35:  # a decimal (or a time's) part: 1-2 digits
            after = min(count - 1, 2 if sep == ":" else int(rng.integers(1, 3)))
            marks[count - after] = sep
        else:  # thousands, from the right
            for end in range(count - 3, 0, -3):
                marks[end] = sep
            if not any(marks):
                marks[int(rng.integers(1, count))] = sep
    if style >= 0.35 or not any(marks):  # an end mark
        marks[count] = str(rng.choice(ENDS))
    if rng.random() < 0.15:
        marks[0] = str(rng.choice(LEADS))
    return marks


@contextmanager
def pen_on(ink: np.ndarray) -> Iterator[ImageDraw.ImageDraw]:
    """A PIL pen drawing in white on `ink` (0-1 floats); what it drew is added to `ink` in
    place when the block ends."""
    image = Image.fromarray((ink * 255).astype(np.uint8))
    yield ImageDraw.Draw(image)
    ink[...] = np.maximum(ink, np.asarray(image, np.float32) / 255)


def room(marks: str, digit_h: float) -> float:
    """The width `marks` (drawn one after another) take on the line, px."""
    return sum(WIDTH[mark] for mark in marks) * digit_h


def draw_marks(
    ink: np.ndarray,
    marks: str,
    left: float,
    top: float,
    bottom: float,
    rng: np.random.Generator,
    dot: tuple[float, float] = DOT,
) -> None:
    """`marks` drawn in place, one after another from column `left`, between the digits'
    `top` and `bottom` rows; a dot's radius is drawn from `dot`, as a share of the pen."""
    digit_h = bottom - top
    pen = max(2, int(digit_h * rng.uniform(0.07, 0.13)))
    with pen_on(ink) as draw:
        for mark in marks:
            width = WIDTH[mark] * digit_h
            _draw(draw, mark, left + width / 2, top, bottom, pen, rng, dot)
            left += width


def _draw(draw: ImageDraw.ImageDraw, mark: str, x: float, top: float, bottom: float, pen, rng, dot):
    """One mark centred on column `x`, as a hand writes it (sizes and places jittered)."""
    h = bottom - top
    mid = (top + bottom) / 2 + rng.uniform(-0.08, 0.08) * h
    jitter = rng.uniform(-0.04, 0.04) * h
    if mark in ".:":
        r = pen * rng.uniform(*dot)
        rows = (bottom - r - rng.uniform(0, 0.06) * h,) + ((mid - 0.15 * h,) if mark == ":" else ())
        for y in rows:
            draw.ellipse([x - r, y - r, x + r, y + r], fill=255)
    elif mark in ",'":
        y = bottom - rng.uniform(0.0, 0.08) * h if mark == "," else top + rng.uniform(0, 0.1) * h
        length = rng.uniform(0.15, 0.3) * h
        draw.line([(x + 0.05 * h, y), (x - 0.08 * h, y + length)], fill=255, width=pen)
    elif mark in "-—=":
        half = (0.4 if mark == "—" else rng.uniform(0.13, 0.22)) * h
        rows = (mid + jitter,) if mark != "=" else (mid - 0.12 * h, mid + 0.12 * h)
        for y in rows:
            tilt = rng.uniform(-0.05, 0.05) * h
            draw.line([(x - half, y + tilt), (x + half, y - tilt)], fill=255, width=pen)
    elif mark == "/":
        lean = rng.uniform(0.12, 0.22) * h
        draw.line([(x - lean, bottom), (x + lean, top)], fill=255, width=pen)
    elif mark == "~":
        half, rise = 0.3 * h, rng.uniform(0.06, 0.14) * h
        points = [(x - half + 2 * half * t / 24, mid - rise * math.sin(2 * math.pi * t / 24))
                  for t in range(25)]  # fmt: skip
        draw.line(points, fill=255, width=pen, joint="curve")
    else:  # "$": an S and a stroke through it
        half = rng.uniform(0.15, 0.22) * h
        points = [(x - half * math.sin(2 * math.pi * t), top + 0.1 * h + 0.8 * h * (t + 0.15) / 1.3)
                  for t in np.linspace(-0.15, 1.15, 28)]  # fmt: skip
        draw.line(points, fill=255, width=pen, joint="curve")
        draw.line(
            [(x + jitter / 4, top), (x - jitter / 4, bottom)], fill=255, width=max(1, pen - 1)
        )
