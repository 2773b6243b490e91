"""Amounts as people write them on cheques: `2,14,00,000/-`, `5500000/-`, `110,000=`.

An amount ends in a run of zeros, and many people write that run fast, as small loops joined
by the pen's stroke (`ooo`), and close it with an end mark (`/-`, `=`). `make_numbers`' kind
`amount` writes such numbers: `plan` says which of a number's digits are the zeros, where the
thousands separators go (every 3 digits, or India's 3 then 2s) and which end mark; `loop`
draws one zero as such a loop, in the pen's ink, with the stroke that joins it to the next.
The line reader learns them as zeros (`bench/build/make_line_reader.py --kinds amount`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw

import written_marks

DIGITS = (4, 9)  # an amount's digits, drawn in [low, high)
ZEROS = (2, 6)  # the zeros it ends with, drawn in [low, high)
# Thousands separators: India's grouping (2,14,00,000), every three digits, or none
GROUPINGS = ("india", "thousands", "none")
GROUPING_ODDS = (0.45, 0.2, 0.35)
SEPARATORS = (",", ".")  # a thousands separator, with these odds ...
SEPARATOR_ODDS = (0.8, 0.2)
ENDS = ("/-", "=", "-", ".-", "")  # ... and the end mark, with these
END_ODDS = (0.5, 0.1, 0.1, 0.05, 0.25)
DRAWN = 0.8  # the share whose zeros are drawn as loops (the rest: the source's own zeros) ...
JOINED = 0.8  # ... and of those, the share joined by the pen's stroke
LOOP_SIZE = (0.4, 0.9)  # a loop's height, as a share of the digits' height
LOOP_WIDTH = (0.45, 1.0)  # its width, as a share of its height
PEN = (0.05, 0.13)  # the pen's width, as a share of the digits' height
SLASH_ROOM = 1.8  # the room `/-` takes after the digits, as a share of their height
DASH_CROSSING = 0.4  # the share of `/-` whose dash crosses its slash ...
DASH_FROM_HEAD = 0.3  # ... and begins where the slash ends (the rest: right of the slash)


@dataclass(frozen=True)
class Amount:
    zeros: int  # the number's last `zeros` digits are 0
    marks: list[str]  # `written_marks.pattern`'s form: before the first digit and after each
    drawn: bool  # the zeros drawn as loops (`loop`), not the source's own
    joined: bool  # the loops joined by the pen's stroke
    pen: float  # the loops' pen, as a share of the digits' height


def plan(rng: np.random.Generator) -> tuple[int, Amount]:
    """How many digits an amount has, and how it is written."""
    count = int(rng.integers(*DIGITS))
    zeros = int(rng.integers(ZEROS[0], min(ZEROS[1], count)))
    marks = [""] * (count + 1)
    grouping = rng.choice(GROUPINGS, p=GROUPING_ODDS)
    separator = str(rng.choice(SEPARATORS, p=SEPARATOR_ODDS))
    if grouping != "none":
        for end in range(count - 3, 0, -2 if grouping == "india" else -3):
            marks[end] = separator
    marks[count] = str(rng.choice(ENDS, p=END_ODDS))
    drawn = bool(rng.random() < DRAWN)
    joined = drawn and bool(rng.random() < JOINED)
    return count, Amount(zeros, marks, drawn, joined, float(rng.uniform(*PEN)))


def loop(digit_h: float, amount: Amount, tail: bool, rng: np.random.Generator) -> np.ndarray:
    """One zero written as a small loop (ink coverage 0-1, `digit_h` high, the loop on the
    baseline), begun at its upper right and written anticlockwise, as a pen writes an `o`;
    `tail`: with the stroke leaving its top to the right, to the next loop."""
    pen = max(2, round(amount.pen * digit_h))
    high = rng.uniform(*LOOP_SIZE) * digit_h
    wide = rng.uniform(*LOOP_WIDTH) * high
    reach = rng.uniform(0.2, 0.45) * high if tail else 0.0
    size = (int(wide + reach + 2 * pen) + 1, int(digit_h) + pen)
    image = Image.new("L", size, 0)
    centre = (pen + wide / 2, size[1] - pen - high / 2 - rng.uniform(0, 0.08) * digit_h)
    lean = rng.uniform(-0.2, 0.2)
    start = math.radians(rng.uniform(40, 80))
    turn = 2 * math.pi + math.radians(rng.uniform(5, 40))
    points = []
    for t in np.linspace(0.0, 1.0, 40):
        angle = start + turn * t
        wobble = 1 + 0.06 * math.sin(3 * angle + start)
        x = centre[0] + wide / 2 * wobble * math.cos(angle)
        y = centre[1] - high / 2 * wobble * math.sin(angle)
        points.append((x + lean * (centre[1] - y), y))
    if tail:
        top = centre[1] - high / 2 + rng.uniform(-0.05, 0.1) * high
        points.append((size[0] - 1.0, top))
    draw = ImageDraw.Draw(image)
    draw.line(points, fill=255, width=pen, joint="curve")
    return np.asarray(image, np.float32) / 255


def draw_slash_dash(ink: np.ndarray, left: float, top: float, bottom: float, amount: Amount, rng):
    """`/-` drawn in place from column `left` as a cheque's amount is closed: a slash taller
    than the digits, its foot on the last zero, and a dash up to a digit and a half long, now
    and then begun at the slash's top, or drawn through the slash halfway up, as many close
    a cheque's amount (`2255000/-`)."""
    h = bottom - top
    pen = max(2, round(amount.pen * h))
    foot = (left - rng.uniform(0.0, 0.15) * h, bottom + rng.uniform(-0.05, 0.15) * h)
    head = (left + rng.uniform(0.2, 0.45) * h, top - rng.uniform(-0.05, 0.3) * h)
    length = rng.uniform(0.35, 1.3) * h
    how = rng.random()
    if how < DASH_CROSSING:  # the dash crossing the slash, begun a little before it
        row = top + rng.uniform(0.3, 0.65) * h
        across = foot[0] + (head[0] - foot[0]) * (foot[1] - row) / (foot[1] - head[1])
        start = (across - rng.uniform(0.05, 0.3) * h, row + rng.uniform(-0.05, 0.05) * h)
        length += 0.4 * h
    elif how < DASH_CROSSING + DASH_FROM_HEAD:  # the dash begun where the slash ends
        start = head
        row = top + rng.uniform(0.1, 0.45) * h
    else:
        start = (head[0] + rng.uniform(0.05, 0.2) * h, top + rng.uniform(0.35, 0.6) * h)
        row = start[1] + rng.uniform(-0.08, 0.08) * h
    end_x = min(start[0] + length, left + SLASH_ROOM * h - pen)
    with written_marks.pen_on(ink) as draw:
        draw.line([foot, head], fill=255, width=pen)
        draw.line([start, ((start[0] + end_x) / 2, row), (end_x, row)], fill=255, width=pen)
