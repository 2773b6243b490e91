"""How many digits does a line hold, and which? A network that reads the whole line at once.

Segmentation decides where one digit ends and the next begins before any digit is read, and
where two digits touch it often decides wrong: most of `read`'s misreads on tight numbers had
lost a digit. This network reads a line's strips (`segment.Line.strips`: all its ink, 32 px
high) column by column and was trained with CTC (connectionist temporal classification), as
handwriting recognisers are, on numbers written with MNIST's and USPS's *training* digits, as
written, stretched to fill square cells or with a finer pen (`bench/build/make_line_reader.py`), so
it never has to cut. `read` reads every line with it
first: where it is at least `line_sure` of its number, that is the reading; elsewhere the
segmentation's readings are weighed by how likely it finds their numbers (`likelihood`).
It runs through LiteRT, like the classifier. What it adds: docs/measurements/reading-numbers.md.
"""

from __future__ import annotations

from functools import cache
from itertools import groupby
from pathlib import Path

import numpy as np

from digitcli.core.litert import Runner
from digitcli.imaging import settings as preparation
from digitcli.reading.settings import DEFAULT

MODEL = Path(__file__).parent / "lines.tflite"
# The settings the line reader fits: it was trained on strips they make (`core.fits`).
FITS = {"preparation": preparation.DEFAULT, "segmentation": DEFAULT}
# Fixed by the shipped network, not settings: its input, a line's ink 32 px high in strips
# 256 px long (a strip's columns are read 4 to a column of its output), and its output's
# classes: class 0 is "no digit here", class d + 1 is digit d, class 11 + i the mark MARKS[i]
# (written inside and after numbers: "18.056", "200.-"; a mark is no digit), and last a letter
# or sign of a word (LETTER: no digit and no mark; a line of them is no number).
STRIP_SHAPE = (32, 256)
MARKS = ".,-=/:'\u2014~$"  # "\u2014" a long dash, "~" a wavy end mark
LETTER = "?"
SYMBOLS = "0123456789" + MARKS + LETTER  # class i + 1 is SYMBOLS[i]; class 0 is BLANK
DIGIT_CLASSES = 11
CLASSES = DIGIT_CLASSES + len(MARKS) + len(LETTER)
BLANK = 0


@cache
def _reader() -> Runner:
    return Runner(MODEL, stages=("preparation", "segmentation"), fits=FITS)


def read_strips(strips: np.ndarray) -> np.ndarray:
    """(n, 32, W) uint8 strips -> (n, W / 4, 11 + marks + letter) probabilities: blank,
    digits 0-9, the marks (MARKS), then a letter (LETTER)."""
    if len(strips) == 0:
        return np.zeros((0, 0, DIGIT_CLASSES), np.float32)
    return _reader()(strips[..., None])


def without_letters(probabilities: np.ndarray) -> np.ndarray:
    """(..., 11 + marks + letter) -> (..., 11 + marks): the line read as though it held no
    letter, the letter's probability left out and the rest scaled back to 1. A reader taught
    its letter class alone (`--grown-only`, `--letters-only`) reads digits and marks so as it
    did before."""
    if probabilities.shape[-1] != CLASSES:
        return probabilities
    kept = probabilities[..., :-1]
    return kept / kept.sum(axis=-1, keepdims=True)


def digits_only(probabilities: np.ndarray) -> np.ndarray:
    """(..., 11 + marks + letter) -> (..., 11): what every reading of digits weighs, read
    without letters (`without_letters`); each mark's probability given to the blank, as a mark
    is no digit."""
    if probabilities.shape[-1] == DIGIT_CLASSES:
        return probabilities
    probabilities = without_letters(probabilities)
    folded = probabilities[..., :DIGIT_CLASSES].copy()
    folded[..., BLANK] += probabilities[..., DIGIT_CLASSES:].sum(axis=-1)
    return folded


def written_path(probabilities: np.ndarray) -> list[tuple[str, float]]:
    """The best path over digits, marks and letters: each symbol ("0"-"9", a mark of MARKS or
    LETTER), with its place (the middle of its columns), left to right. Of marks read in a row
    between two digits it keeps the surest: a number holds one separator there, and a dot and
    a comma read over one mark's columns made a register's `12,5` `12.,5`; marks after the
    last digit (`200.-`) all stay."""
    path = [
        (SYMBOLS[symbol - 1], 0.5 * (start + stop - 1), sure)
        for symbol, sure, start, stop in _column_runs(probabilities)
        if symbol != BLANK
    ]
    groups = [list(group) for _, group in groupby(path, key=lambda step: step[0] in MARKS)]
    kept = []
    for index, group in enumerate(groups):
        between = 0 < index < len(groups) - 1 and group[0][0] in MARKS
        if between and groups[index - 1][-1][0].isdigit() and groups[index + 1][0][0].isdigit():
            group = [max(group, key=lambda step: step[2])]
        kept += [(symbol, place) for symbol, place, _ in group]
    return kept


def _column_runs(probabilities: np.ndarray) -> list[tuple[int, float, int, int]]:
    """The likeliest class's runs of columns: each its class, its highest probability over the
    run, and the run's columns [start, stop)."""
    best = probabilities.argmax(axis=1)
    starts = np.flatnonzero(np.r_[True, best[1:] != best[:-1]])
    stops = np.r_[starts[1:], len(best)]
    return [
        (int(best[start]), float(probabilities[start:stop, best[start]].max()), start, stop)
        for start, stop in zip(starts, stops, strict=True)
    ]


def written_text(path: list[tuple[str, float]], number: str) -> str:
    """`number` as written: the marks of the written path (`written_path`) put in among its
    digits, where the path holds as many digits as `number` (else `number` alone; and where
    the path reads only marks, `number`)."""
    digits = [symbol for symbol, _ in path if symbol.isdigit()]
    if len(digits) != len(number) or not number:
        return number
    given = iter(number)
    return "".join(next(given) if symbol.isdigit() else symbol for symbol, _ in path)


def in_letters(path: list[tuple[str, float]], least: int) -> bool:
    """Whether a written path (`written_path`) is words, not a number: it holds letters
    (LETTER) and no digit, or `least` letters or more and more letters than digits. A digit
    written oddly is read as a letter now and then in numbers (`72` as `7?`, `6,600` as
    `6,6??` in a register's cell, a small `638` as `6??` in a scanned one); a word written
    joined up is read as one or two letters and nothing else."""
    letters = sum(symbol == LETTER for symbol, _ in path)
    digits = sum(symbol.isdigit() for symbol, _ in path)
    return letters > digits and (not digits or letters >= least)


def best_path(probabilities: np.ndarray) -> list[tuple[int, float, float]]:
    """The likeliest class at each column, repeats merged and blanks dropped: each digit with
    its confidence (its highest probability over the columns that say it) and where it was
    read (the middle of those columns)."""
    return [
        (symbol - 1, sure, 0.5 * (start + stop - 1))
        for symbol, sure, start, stop in _column_runs(probabilities)
        if symbol != BLANK
    ]


def likelihood(probabilities: np.ndarray, number: str) -> float:
    """ln P(number | line): CTC's forward algorithm over one line's (T, 11) probabilities,
    rescaled at every column instead of working in logs."""
    labels = np.full(2 * len(number) + 1, BLANK)
    labels[1::2] = [int(d) + 1 for d in number]
    # A state may come from two back when it is a digit unlike the one two back.
    skip = np.zeros(len(labels), bool)
    skip[2:] = (labels[2:] != BLANK) & (labels[2:] != labels[:-2])
    hops = skip[2:].astype(float)  # 1 where a state may come from two back, else 0
    emitted = np.maximum(probabilities[:, labels], 1e-30)
    alpha = np.zeros(len(labels))
    alpha[:2] = emitted[0, :2]  # begin with a blank or with the first digit
    total = 0.0
    for column in emitted[1:]:
        scale = alpha.sum()
        if scale <= 0.0:
            return -np.inf
        total += np.log(scale)
        alpha /= scale
        moved = alpha.copy()
        moved[1:] += alpha[:-1]
        moved[2:] += alpha[:-2] * hops
        moved *= column
        alpha = moved
    end = alpha[-2:].sum() if number else alpha[-1]  # ending on the last digit or a blank
    return total + float(np.log(end)) if end > 0.0 else -np.inf
