"""Where on the line the line reader read each digit: its atoms, and from them its box and pixels.

The line reader (`digitcli.reading.lines`) says which digits a line holds and, by the column
at which it reads each, where: its digits come out in order, each at a column inside its
ink. A piece of ink within which one digit is read is that digit; one within which several
are (touching digits) gives each of its atoms (`digitcli.reading.atoms`: its parts, cut at
the valleys of its column profile) to the nearest of them. A piece within which none is read
goes to the digit it stands over or under (a 5's detached flag, a 4 written in two pieces),
and is otherwise left out (a date's separator, a speck). A digit read where no ink lies
gets the nearest atom.
"""

from __future__ import annotations

import numpy as np

from digitcli.imaging.images import fit_and_centre
from digitcli.reading.atoms import Atom
from digitcli.reading.lines import STRIP_SHAPE
from digitcli.reading.segment import LineInk


def placed_digits(
    ink: LineInk, columns: list[float], per_strip: int, fitted: list[bool]
) -> list[tuple[tuple[int, int, int, int], np.ndarray | None]]:
    """Each read digit's box (in the input image's pixels) and pixels (28x28, as `predict`
    fits one digit; None where it has no ink or is not `fitted`), given the line reader's
    `columns` at which it read them, left to right (its columns of all the line's strips in
    turn, `per_strip` a strip)."""
    at = _work_columns(ink, columns, per_strip)
    found = [ink.ink_of(atoms) for atoms in _assigned(ink.atoms, at)]
    boxes = ink.frame.boxes(np.array([box for _, box in found], float))
    return [
        (box, fit_and_centre(drawn) if fit and drawn is not None else None)
        for (drawn, _), box, fit in zip(found, boxes, fitted, strict=True)
    ]


def _work_columns(ink: LineInk, columns: list[float], per_strip: int) -> np.ndarray:
    """The line reader's columns as the work frame's (slant taken out)."""
    at = np.asarray(columns, float)
    strip = np.minimum((at // per_strip).astype(int), len(ink.strips) - 1)
    first, step = np.array(ink.strips, float).reshape(-1, 2)[strip].T
    return first + (at - strip * per_strip + 0.5) * (STRIP_SHAPE[1] / per_strip) * step


def _assigned(atoms: list[Atom], at: np.ndarray) -> list[list[Atom]]:
    """Each digit's atoms, the digits read at columns `at` (work frame, slant taken out)."""
    if not len(at):
        return []
    middles = np.array([float(atom.slanted.mean()) for atom in atoms])
    owned: list[list[Atom]] = [[] for _ in at]
    pieces: dict[int, list[int]] = {}
    for index, atom in enumerate(atoms):
        pieces.setdefault(atom.piece, []).append(index)
    loose = []
    for parts in pieces.values():
        left = min(atoms[index].left for index in parts)
        right = max(atoms[index].right for index in parts)
        within = np.flatnonzero((at >= left) & (at < right))
        if not len(within):
            loose.extend(parts)
            continue
        for index in parts:  # to the nearest digit read within its piece
            nearest = within[np.argmin(np.abs(at[within] - middles[index]))]
            owned[nearest].append(atoms[index])
    spans = [(min(a.left for a in own), max(a.right for a in own)) if own else None
             for own in owned]  # fmt: skip
    for index in loose:
        atom, digit = atoms[index], int(np.argmin(np.abs(at - middles[index])))
        span = spans[digit]
        if span is None:
            continue
        if min(atom.right, span[1]) >= max(atom.left, span[0]):  # over the digit: its part
            owned[digit].append(atom)
    for digit, own in enumerate(owned):
        if not own:
            own.append(atoms[int(np.argmin(np.abs(middles - at[digit])))])
    return owned
