"""Atoms and spans: the pieces of ink on a line, and the runs of them that may be digits.

Segmentation (`digitcli.reading.segment`) reads a line as atoms, the connected pieces of ink
left to right (a piece too wide for one digit cut at the valleys of its column profile), and
tries as one digit each run of neighbouring atoms narrow enough to be one, each with the
penalty a reading pays for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
from scipy import ndimage

MAX_ATOMS = 8  # pieces one digit may be made of
MAX_WIDTH = 1.3  # a digit is at most this wide, in line heights (a sprawling 2 or 0)
CUT_FROM = 0.75  # pieces wider than this (line heights) may be touching digits: cut candidates
MAX_CUTS = 3.0  # cuts tried per line height of a piece's width
MIN_PART = 0.18  # no cut leaves a part narrower than this (line heights)
JOIN_GAP = 0.3  # pieces up to this far apart (line heights) may be one digit
SMALL = 0.45  # a piece lower than this (line heights) is not a digit on its own
WIDE_FROM = 1.0  # line heights: a candidate wider than this is likely two digits
TOO_WIDE_COST = 8.0  # per line height beyond WIDE_FROM
CUT_COST = 1.0  # log-probability a digit pays for each side that is a cut through ink
SHORT_COST = 10.0  # per line height a candidate is lower than FULL_HEIGHT: a piece of a digit
FULL_HEIGHT = 0.7
JOIN_COST = 1.0  # joining two separate full-height pieces side by side into one digit
OVERLAP_COST = 1.0  # parting two pieces one above the other, per share of the narrower's width


@dataclass
class Atom:
    """A piece of ink on the line, or a part of one cut where digits touch."""

    ys: np.ndarray  # its pixels in the work frame
    xs: np.ndarray
    slanted: np.ndarray  # their columns with the slant taken out
    small: bool = False
    cut_before: float = 0.0  # what its left side being a cut through a wider piece costs
    piece: int = 0  # which piece of ink it is, or was cut from

    @cached_property  # asked for again and again by digit_spans: 1,000 reductions an image
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
    labels, count = ndimage.label(mask, structure=np.ones((3, 3)))
    if count == 0:
        return []
    flat = labels.ravel()
    order = np.argsort(flat, kind="stable")
    bounds = np.searchsorted(flat[order], np.arange(1, count + 2))
    width = mask.shape[1]
    pieces = []
    for start, stop in zip(bounds[:-1], bounds[1:], strict=True):
        index = order[start:stop]
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


def line_atoms(pieces, height: float, slant: float, centre: float) -> list[Atom]:
    """Pieces left to right, specks away from the line dropped, wide pieces cut."""
    areas = np.array([ys.size for ys, _ in pieces], float)
    middles = np.array([np.median(ys) for ys, _ in pieces])
    line = _weighted_median(middles, areas)
    atoms = []
    for piece, ((ys, xs), area) in enumerate(zip(pieces, areas, strict=True)):
        tall = ys.max() - ys.min() + 1
        wide = xs.max() - xs.min() + 1
        if max(tall, wide) < 0.2 * height and area < 0.05 * areas.max():
            continue  # a speck
        if abs(np.median(ys) - line) > 0.9 * height:
            continue  # ink off the line: not part of the number
        slanted = xs + slant * (ys - centre)
        atom = Atom(ys, xs, slanted, small=tall < SMALL * height, piece=piece)
        atoms.extend(_cut(atom, height))
    atoms.sort(key=lambda a: float(a.slanted.mean()))
    return atoms


def _cut(atom: Atom, height: float) -> list[Atom]:
    """A piece too wide for one digit, cut at the valleys of its (slant-free) column profile."""
    width = atom.right - atom.left
    if width <= CUT_FROM * height:
        return [atom]
    columns = np.floor(atom.slanted - atom.left).astype(np.int64)
    profile = np.convolve(np.bincount(columns), [0.25, 0.5, 0.25], mode="same")
    margin = max(1, int(MIN_PART * height))
    inner = np.arange(margin, profile.size - margin)
    if inner.size == 0:
        return [atom]
    valleys = inner[(profile[inner] <= profile[inner - 1]) & (profile[inner] <= profile[inner + 1])]
    cuts: list[int] = []
    for position in valleys[np.argsort(profile[valleys], kind="stable")]:
        if all(abs(position - c) >= margin for c in cuts):
            cuts.append(int(position))
        if len(cuts) >= MAX_CUTS * width / height:
            break
    parts = np.searchsorted(np.sort(cuts), columns, side="right")
    out = []
    for part in range(len(cuts) + 1):
        keep = parts == part
        if keep.any():
            ys = atom.ys[keep]
            small = np.ptp(ys) + 1 < SMALL * height
            cost = CUT_COST * bool(out)
            out.append(Atom(ys, atom.xs[keep], atom.slanted[keep], small, cost, atom.piece))
    return out


def digit_spans(atoms: list[Atom], height: float) -> list[tuple[int, int, float]]:
    """Runs of neighbouring atoms [start, stop) that may be one digit, with their penalty."""
    spans = []
    for start in range(len(atoms)):
        left, right = atoms[start].left, atoms[start].right
        top, bottom = atoms[start].top, atoms[start].bottom
        joins = 0
        for stop in range(start + 1, min(len(atoms), start + MAX_ATOMS) + 1):
            atom = atoms[stop - 1]
            if stop > start + 1:
                if atom.left - right > JOIN_GAP * height:
                    break
                joins += _side_by_side(atoms[stop - 2], atom, height)
                left, right = min(left, atom.left), max(right, atom.right)
                top, bottom = min(top, atom.top), max(bottom, atom.bottom)
            width = (right - left) / height
            if width > MAX_WIDTH and stop > start + 1:
                break
            if stop == start + 1 and atom.small:
                continue  # a piece too low to be a digit alone
            penalty = _parting_cost(atoms, start)
            penalty += TOO_WIDE_COST * max(0.0, width - WIDE_FROM) + JOIN_COST * joins
            penalty += SHORT_COST * max(0.0, FULL_HEIGHT - (bottom - top) / height)
            spans.append((start, stop, penalty))
    return spans


def _side_by_side(left: Atom, right: Atom, height: float) -> bool:
    """Two separate pieces, both of a digit's full height, next to each other: two digits."""
    if right.cut_before:
        return False
    tall = min(left.bottom - left.top, right.bottom - right.top) >= FULL_HEIGHT * height
    shared = left.right - right.left
    narrower = min(left.right - left.left, right.right - right.left)
    return bool(tall and shared < 0.3 * narrower)


def _parting_cost(atoms: list[Atom], start: int) -> float:
    """What it costs to start a digit at atom `start`: a cut through a piece of ink, or
    parting it from a left neighbour it overlaps (a 5's flag above its body) is unlikely."""
    if start == 0:
        return 0.0
    left, right = atoms[start - 1], atoms[start]
    shared = left.right - right.left
    narrower = min(left.right - left.left, right.right - right.left)
    overlap = max(0.0, min(1.0, shared / max(narrower, 1.0)))
    return right.cut_before + OVERLAP_COST * overlap
