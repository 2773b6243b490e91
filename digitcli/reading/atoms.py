"""Atoms and spans: the pieces of ink on a line, and the runs of them that may be digits.

Segmentation (`digitcli.reading.segment`) reads a line as atoms, the connected pieces of ink
left to right (a piece too wide for one digit cut at the valleys of its column profile), and
tries as one digit each run of neighbouring atoms close enough to be one, each with the
penalty a reading pays for it (a run wider than a digit pays for its width).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from digitcli.imaging import orderstats
from digitcli.imaging import settings as preparation
from digitcli.imaging.morphology import labelled
from digitcli.imaging.pieces import apart
from digitcli.reading.settings import tuned


@dataclass
class Atom:
    """A piece of ink on the line, or a part of one cut where digits touch."""

    ys: np.ndarray  # its pixels in the work frame
    xs: np.ndarray
    slanted: np.ndarray  # their columns with the slant taken out
    small: bool = False
    cut_before: float = 0.0  # what its left side being a cut through a wider piece costs
    piece: int = 0  # which piece of ink it is, or was cut from

    @cached_property  # asked for again and again by digit_spans
    def left(self) -> float:
        return float(self.slanted.min())

    @cached_property
    def right(self) -> float:
        return float(self.slanted.max()) + 1.0

    @cached_property
    def top(self) -> int:
        return int(self.ys.min())

    @cached_property
    def bottom(self) -> int:
        return int(self.ys.max()) + 1


def components(mask: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """The 8-connected pieces of `mask`, each as (rows, columns) of its pixels."""
    labels, boxes = labelled(mask)
    count = len(boxes)
    if count == 0:
        return []
    inked = np.flatnonzero(labels)  # only the pieces' pixels are sorted, by piece
    which = labels.ravel()[inked]
    order = np.argsort(which, kind="stable")
    bounds = np.searchsorted(which[order], np.arange(1, count + 2))
    width = mask.shape[1]
    pieces = []
    for start, stop in zip(bounds[:-1], bounds[1:], strict=True):
        index = inked[order[start:stop]]
        pieces.append((index // width, index % width))
    return pieces


def _weighted_median(values: np.ndarray, weights: np.ndarray) -> float:
    order = np.argsort(values, kind="stable")
    cumulative = np.cumsum(weights[order])
    return float(values[order][np.searchsorted(cumulative, 0.5 * cumulative[-1])])


def line_height(pieces: list[tuple[np.ndarray, np.ndarray]]) -> float:
    """A digit's height on this line: the area-weighted median height of its pieces."""
    heights = np.array([np.ptp(ys) + 1 for ys, _ in pieces], float)
    areas = np.array([ys.size for ys, _ in pieces], float)
    return _weighted_median(heights, areas)


def line_atoms(pieces, height: float, slant: float, centre: float) -> tuple[list[Atom], list[Atom]]:
    """Pieces left to right, wide pieces cut, ink off the line dropped; and the specks on the
    line apart: no digit is made of them, but the line reader sees them (a decimal point, a
    comma: round 18)."""
    areas = np.array([ys.size for ys, _ in pieces], float)
    middles = np.array([orderstats.median(ys) for ys, _ in pieces])
    line = _weighted_median(middles, areas)
    tune, speck_area = tuned(), preparation.tuned().speck_area  # a speck as `predict` has it
    atoms, specks = [], []
    for piece, ((ys, xs), area, middle) in enumerate(zip(pieces, areas, middles, strict=True)):
        if _off_line(middle, line, height):
            continue  # ink off the line: not part of the number
        tall = ys.max() - ys.min() + 1
        wide = xs.max() - xs.min() + 1
        slanted = xs + slant * (ys - centre)
        atom = Atom(ys, xs, slanted, small=tall < tune.small * height, piece=piece)
        if _speck_sized(tall, wide, height) and area < speck_area * areas.max():
            specks.append(atom)  # a speck
        else:
            atoms.extend(_cut(atom, height))
    atoms.sort(key=lambda a: float(a.slanted.mean()))
    return atoms, specks


def faint_specks(
    faint: np.ndarray, atoms: list[Atom], height: float, slant: float, centre: float
) -> list[Atom]:
    """The pieces of `faint` (ink above the line's faintest level, `ink.Ink.faintest`, but
    joined to no stroke: out of its mask) a speck's size, on the line and in a gap between
    its atoms (their columns, the slant taken out, overlap none of theirs): a decimal point
    or a comma the pen drew faint, for the line reader to see as a mark, or as nothing (a
    12.5 in a clinic's cell was read 125). Where one in a digit's box was taken too, a 28
    was read 38, and a cheque's amount gained a digit."""
    if not atoms:
        return []
    labels, boxes = labelled(faint)
    small = [
        (index, (rows, cols))
        for index, (rows, cols) in enumerate(boxes, start=1)
        if _speck_sized(rows.stop - rows.start, cols.stop - cols.start, height)
    ]
    if not small:
        return []
    line = orderstats.median(np.concatenate([atom.ys for atom in atoms]))
    left, right = min(atom.left for atom in atoms), max(atom.right for atom in atoms)
    specks = []
    for index, (rows, cols) in small:
        ys, xs = np.nonzero(labels[rows, cols] == index)
        ys, xs = ys + rows.start, xs + cols.start
        if _off_line(orderstats.median(ys), line, height):
            continue
        speck = Atom(ys, xs, xs + slant * (ys - centre), small=True)
        between = left < speck.left and speck.right < right
        if between and not any(a.left <= speck.right and speck.left <= a.right for a in atoms):
            specks.append(speck)
    return specks


def _off_line(middle: float, line: float, height: float) -> bool:
    """Whether a piece whose middle row is `middle` lies off the line (whose middle is `line`)."""
    return abs(middle - line) > tuned().off_line * height


def _speck_sized(tall: int, wide: int, height: float) -> bool:
    """Whether a piece `tall` by `wide` px is a speck's size on a line of digits `height` high."""
    return max(tall, wide) < tuned().speck_size * height


def _cut(atom: Atom, height: float) -> list[Atom]:
    """A piece too wide for one digit, cut at the valleys of its (slant-free) column profile."""
    tune = tuned()
    width = atom.right - atom.left
    if width <= tune.cut_from * height:
        return [atom]
    columns = np.floor(atom.slanted - atom.left).astype(np.int64)
    profile = np.convolve(np.bincount(columns), [0.25, 0.5, 0.25], mode="same")
    margin = max(1, int(tune.min_part * height))
    inner = np.arange(margin, profile.size - margin)
    if inner.size == 0:
        return [atom]
    valleys = inner[(profile[inner] <= profile[inner - 1]) & (profile[inner] <= profile[inner + 1])]
    cuts: list[int] = []
    for position in valleys[np.argsort(profile[valleys], kind="stable")]:
        if all(abs(position - c) >= margin for c in cuts):
            cuts.append(int(position))
    parts = np.searchsorted(np.sort(cuts), columns, side="right")
    out = []
    for part in range(len(cuts) + 1):
        keep = parts == part
        if keep.any():
            ys = atom.ys[keep]
            small = np.ptp(ys) + 1 < tune.small * height
            cost = tune.cut_cost * bool(out)
            out.append(Atom(ys, atom.xs[keep], atom.slanted[keep], small, cost, atom.piece))
    return out


def digit_spans(atoms: list[Atom], height: float) -> list[tuple[int, int, float]]:
    """Runs of neighbouring atoms [start, stop) that may be one digit, with their penalty.
    Atoms further apart than the preparation's `group_gap` of a digit's height are not one
    digit, as `predict` parts a number's groups of ink."""
    tune, gap = tuned(), preparation.tuned().group_gap
    spans = []
    for start in range(len(atoms)):
        left, right = atoms[start].left, atoms[start].right
        top, bottom = atoms[start].top, atoms[start].bottom
        joins = 0
        for stop in range(start + 1, min(len(atoms), start + tune.max_atoms) + 1):
            atom = atoms[stop - 1]
            if stop > start + 1:
                if atom.left - right > gap * height:
                    break
                joins += _side_by_side(atoms[stop - 2], atom)
                left, right = min(left, atom.left), max(right, atom.right)
                top, bottom = min(top, atom.top), max(bottom, atom.bottom)
            if stop == start + 1 and atom.small:
                continue  # a piece too low to be a digit alone
            penalty = atoms[start].cut_before  # a digit starting in a cut through ink
            width = (right - left) / height
            too_wide = tune.too_wide_cost * max(0.0, width - tune.wide_from)
            penalty += too_wide + tune.cut_cost * joins
            penalty += tune.short_cost * max(0.0, tune.full_height - (bottom - top) / height)
            spans.append((start, stop, penalty))
    return spans


def _side_by_side(left: Atom, right: Atom) -> bool:
    """Two separate pieces next to each other: two digits, by the rule `predict` counts
    digits by (`pieces.apart`)."""
    if right.cut_before:
        return False
    boxes = [(atom.left, atom.top, atom.right, atom.bottom) for atom in (left, right)]
    return apart(*boxes)
