"""What a picture holds: the one verdict `predict`, `read`, `evaluate --data`, `train --data`,
`serve` and the API all take, in one wording.

A picture is decoded once and its ink found once (`images.prepare`); what that ink is gets
decided here, once: one digit, several digits (a number), blank, not a digit, or lines / a
page. The judge (`digitcli.imaging.judge`) is asked about every picture of paper (a photo or
scan with paper around its digit) whose ink was found: blank paper, lines and a page are
refused when it is sure the ink is not one digit, and the ink is several digits where it is
sure of that or takes several for likelier than one. What the letters network
(`digitcli.imaging.letters`) takes for no digit at all (a letter, a sign, a drawing, a word)
is not a digit, however many digits the judge or the count network counted; a picture the
first look (`digitcli.imaging.polarity`) takes for a photo of a thing is a picture, as the
judge words it. This is the one count of digits: `read` follows it (one digit: `predict`'s;
several: a number of two digits or more). `note` words each refusal; `predict` and `read`
say nothing else.
"""

from __future__ import annotations

from enum import Enum
from typing import Protocol

import numpy as np

from digitcli.imaging import judge, unsure
from digitcli.imaging.morphology import dilate
from digitcli.imaging.pieces import crossing
from digitcli.imaging.settings import tuned

BLANK = "no digit found: the image is blank"
NOT_DIGITS = "no digit found: lines, a page or a picture, not one digit"
NOT_A_DIGIT = "no digit found: not a digit (a letter, a sign, a scribble or a thing)"


class Kind(str, Enum):
    """What a picture holds."""

    DIGIT = "digit"
    SEVERAL = "several"
    BLANK = "blank"
    LINES = "lines"
    NOT_A_DIGIT = "not a digit"


def several(groups: int) -> str:
    """The note for ink that is several digits: `groups` apart (1: touching)."""
    return f"several digits ({_found(groups)}): use `digitcli read`"


def several_unread(groups: int) -> str:
    """`read`'s note for ink that is several digits (`several`) where it reads no number of
    two digits or more."""
    return f"several digits ({_found(groups)}), not told apart: crop or write them apart"


def _found(groups: int) -> str:
    return f"{groups} found" if groups > 1 else "2 or more, touching"


class Prepared(Protocol):
    """What the verdict reads of a prepared picture (`images.Prepared`)."""

    has_ink: bool
    refused: Kind  # without ink: why
    groups: int
    letters: float  # the letters network's chance that its one digit is none

    @property
    def several(self) -> bool: ...


_NOTES = {Kind.BLANK: BLANK, Kind.LINES: NOT_DIGITS, Kind.NOT_A_DIGIT: NOT_A_DIGIT}


def kind(prepared: Prepared) -> Kind:
    """The verdict on a prepared picture. Ink the judge takes for lines that stands in
    digits side by side on one line (`groups`) is a number on a form's rules: several
    digits, which `read` reads."""
    if not prepared.has_ink:
        several_on_lines = prepared.refused is Kind.LINES and prepared.groups > 1
        return Kind.SEVERAL if several_on_lines else prepared.refused
    return Kind.SEVERAL if prepared.several else Kind.DIGIT


def read_as_none(prepared: Prepared, probabilities: np.ndarray) -> bool:
    """Whether the picture of one digit, read by the classifier as `probabilities`, holds no
    digit after all: the letters network leans to none and the classifier is unsure of its
    digit (`unsure`: a word, a Greek letter, a lamp answered a digit at 0.4-0.8)."""
    return kind(prepared) is Kind.DIGIT and unsure.not_a_digit(prepared.letters, probabilities)


def refuses(prepared: Prepared) -> bool:
    """Whether the verdict refuses the picture as holding no digit (`refusing`)."""
    return refusing(kind(prepared))


def refusing(found: Kind | None) -> bool:
    """Whether `found` (a verdict, or `judged`'s answer) refuses a picture as holding no digit:
    blank, lines or a page, not a digit (not several digits: `read` reads those)."""
    return found in _NOTES


def is_refusal(said: str | None) -> bool:
    """Whether `said` (a note) refuses a picture as holding no digit, in the one wording."""
    return said in _NOTES.values()


def note(prepared: Prepared) -> str | None:
    """Why `predict` answers no digit for a prepared picture, in the one wording (None: it
    holds one digit)."""
    found = kind(prepared)
    if found is Kind.DIGIT:
        return None
    return several(prepared.groups) if found is Kind.SEVERAL else _NOTES[found]


def judged(
    flat: np.ndarray, kept: np.ndarray, *, on_paper: bool, strokes: np.ndarray | None = None
) -> Kind | None:
    """What the judge takes the ink `kept` on `flat` (the picture less its background, ink
    bright) for, where that is not one digit: under not_digit its digit probability, the
    likeliest of blank paper, lines and several digits; at or over it, several digits where
    it takes those for likelier than one digit (a number, which `read` reads: a 9000 written
    up a slant, 0.55 several against 0.25 one digit); else None (one digit, unless the
    preparation's pieces stand apart as several). Several digits on a long picture whose ink
    over the threshold (`strokes`) is the digit's are asked again closer
    (`_one_digit_closer`). Off paper (`on_paper` False) it is not asked."""
    if not on_paper:
        return None
    chances = judge.probabilities(flat, kept)
    if chances[judge.DIGIT] < tuned().not_digit:
        found = _REFUSED[1 + int(np.argmax(chances[1:]))]  # DIGIT is 0
    elif chances[judge.SEVERAL] > chances[judge.DIGIT]:
        found = Kind.SEVERAL  # likelier several than one: a number, which `read` reads
    else:
        return None
    if found is Kind.SEVERAL and strokes is not None and _one_digit_closer(flat, kept, strokes):
        return None
    return found


def _one_digit_closer(flat: np.ndarray, kept: np.ndarray, strokes: np.ndarray) -> bool:
    """Whether the judge, shown the square around the ink (`judge.closer`) of a long picture
    it took whole for several digits, takes the ink for one digit, likeliest of its verdicts:
    a digit small in a wide cell (a register's row number) was "several" to it, seen whole.
    Asked of a picture `closer_length` times as long as its shorter side or more, whose ink
    over the threshold, less the lines crossing it, is the kept digit's and specks
    (`speck_area` of it): where the preparation kept one digit of a number (`15`, its 1 left
    out), the window showed the judge that digit alone, and it took it for one."""
    height, width = kept.shape
    if max(height, width) < tuned().closer_length * min(height, width):
        return False
    beside = strokes & ~crossing(strokes) & ~dilate(kept, 2)
    if np.count_nonzero(beside) > tuned().speck_area * np.count_nonzero(kept):
        return False
    window = judge.closer(kept)
    if window is None:
        return False
    return int(np.argmax(judge.probabilities(flat[window], kept[window]))) == judge.DIGIT


_REFUSED = {judge.BLANK: Kind.BLANK, judge.LINES: Kind.LINES, judge.SEVERAL: Kind.SEVERAL}
