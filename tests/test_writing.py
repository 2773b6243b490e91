"""The writing network (`digitcli.imaging.writing`): the pieces of the ink kept for a digit
that are no writing (a shadow's edge beside a thin digit) are left out of the 28x28 the digit
model reads; the verdict is taken on the ink as kept, the letters network's of the 28x28 read
too."""

from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np
import pytest
from devsets import devset, needs_devsets
from PIL import Image

from digitcli.imaging import verdict, writing
from digitcli.imaging.images import prepare


def _ring_and_dome(dome: tuple[int, int] = (60, 25)) -> np.ndarray:
    """A picture less its background (ink bright): a thin 0's ring, and below it a shadow's
    round edge standing above the paper as a soft dome, larger than the ring."""
    h, w = 192, 144
    ring = np.zeros((h, w), np.float32)
    cv2.ellipse(ring, (72, 70), (18, 34), 0, 0, 360, 1.0, 2, cv2.LINE_AA)
    shade = np.zeros((h, w), np.float32)
    cv2.ellipse(shade, (72, h - 1), dome, 0, 180, 360, 1.0, -1)
    return ring * 160.0 + cv2.GaussianBlur(shade, (0, 0), 3.0) * 70.0


def _pieces(mask: np.ndarray) -> int:
    return cv2.connectedComponents(mask.view(np.uint8), connectivity=8)[0] - 1


def test_ink_of_one_piece_is_handed_back_as_it_is() -> None:
    flat = _ring_and_dome()
    ring = flat > 100
    assert _pieces(ring) == 1
    assert writing.writing_pieces(flat, ring) is ring


def test_a_shadows_dome_beside_a_thin_digit_is_left_out() -> None:
    flat = _ring_and_dome()
    kept = flat > 25  # the dome, larger, is what the rules keep first
    assert _pieces(kept) == 2
    cleaned = writing.writing_pieces(flat, kept)
    assert _pieces(cleaned) == 1
    assert cleaned[70 - 34, 72] and not cleaned[-1, 72]  # the ring's top stays, the dome goes


def _dome(flat: np.ndarray) -> np.ndarray:
    dome = (flat > 25) & ~(flat > 100)
    return cv2.morphologyEx(dome.view(np.uint8), cv2.MORPH_OPEN, np.ones((5, 5), np.uint8)) > 0


def test_of_two_domes_the_one_the_network_is_least_sure_of_is_kept() -> None:
    flat = _ring_and_dome() + _ring_and_dome((40, 15))[::-1]  # a second dome, at the top
    domes = _dome(flat)
    assert _pieces(domes) == 2
    assert _pieces(writing.writing_pieces(flat, domes)) == 1


def test_where_every_piece_is_no_writing_none_is_kept() -> None:
    """Two shadows' domes, one from the foot and one from the top, and nothing else kept: no
    writing at all, the picture is blank paper (the one the network was least sure of was
    kept before, and read as a digit)."""
    flat = _ring_and_dome() + _ring_and_dome((70, 30))[::-1]
    domes = _dome(flat)
    assert _pieces(domes) == 2
    assert not writing.writing_pieces(flat, domes).any()


def test_a_speck_is_never_what_is_kept_in_the_digits_place() -> None:
    flat = _ring_and_dome()
    kept = _dome(flat)
    kept[5:7, 5:7] = True  # a speck, far under the dome's size
    flat[5:7, 5:7] = 60.0
    cleaned = writing.writing_pieces(flat, kept)
    assert cleaned[-1, 72]  # the dome stays, whatever the speck is


def test_each_piece_is_seen_close_up_and_whole() -> None:
    flat = _ring_and_dome()
    _, labels, stats, _ = cv2.connectedComponentsWithStats(
        (flat > 25).view(np.uint8), connectivity=8
    )
    views = writing.views(flat, labels, stats, 32)
    assert views.shape == (2, 32, 32, 6)
    for index, view in enumerate(views):
        assert view[..., 1].max() > 0.5 and view[..., 4].max() > 0  # the piece, close and whole
        assert view[..., 5].sum() > 0  # the other piece, in the whole picture
        assert not np.any((view[..., 1] > 0.5) & (view[..., 2] > 0.5)), index


def _over_a_round_shadow(draw: Callable[[np.ndarray, int, int], None]) -> Image.Image:
    """A phone photo's scene made by code: a thin mark on paper (`draw`n into an ink layer at
    its centre), a hand's round shadow coming in softly from the foot of the sheet."""
    rng = np.random.default_rng(0)
    h, w = 480, 360
    page = np.full((h, w), 205, np.float32) + rng.normal(0, 2, (h, w))
    shade = np.zeros((h, w), np.float32)
    cv2.ellipse(shade, (w // 2, int(h * 1.02)), (int(w * 0.6), int(h * 0.2)), 0, 0, 360, 1.0, -1)
    page -= 40 * cv2.GaussianBlur(shade, (0, 0), 15)
    ink = np.zeros((h, w), np.uint8)
    draw(ink, w // 2, int(h * 0.3))
    page -= ink.astype(np.float32) / 255 * 110
    page = cv2.GaussianBlur(page, (0, 0), 0.8)
    return Image.fromarray(np.clip(page, 0, 255).astype(np.uint8), "L")


def _thin_zero_over_a_round_shadow() -> Image.Image:
    return _over_a_round_shadow(
        lambda ink, x, y: cv2.ellipse(ink, (x, y), (30, 55), 0, 0, 360, 255, 2, cv2.LINE_AA)
    )


def _cross(ink: np.ndarray, x: int, y: int) -> None:
    for sign in (1, -1):
        cv2.line(ink, (x - 50, y - 50 * sign), (x + 50, y + 50 * sign), 255, 3, cv2.LINE_AA)


def _plus(ink: np.ndarray, x: int, y: int) -> None:
    cv2.line(ink, (x, y - 50), (x, y + 50), 255, 3, cv2.LINE_AA)
    cv2.line(ink, (x - 50, y), (x + 50, y), 255, 3, cv2.LINE_AA)


def test_a_thin_digit_beside_a_shadows_edge_is_read_without_it() -> None:
    """The digit model reads the 28x28 less the shadow (before: the two, read as 2); the
    verdict looks at the ink as kept (`judged`), which holds both."""
    import digitcli

    picture = _thin_zero_over_a_round_shadow()
    prepared = prepare(picture)
    assert prepared.has_ink and prepared.judged is not None
    assert prepared.judged.sum() > prepared.pixels.sum()
    assert digitcli.load().predict(picture)[0].digit == 0


@needs_devsets
@pytest.mark.parametrize(("name", "digit"), [("IMG_4002.jpg", 0), ("IMG_4003.jpg", 1)])
def test_real_photos_with_a_hard_shadow_below_the_digit(name: str, digit: int) -> None:
    """Two pen photos of the pen set (round 36): a thin digit above a hard shadow, read as 2."""
    import digitcli

    found = sorted(devset("pen_photos").glob(f"*/*{name}"))
    assert found, f"no {name} in the pen set"
    assert digitcli.load().predict(found[0])[0].digit == digit
    assert digitcli.load().read(found[0])[0].number == str(digit)


@pytest.mark.parametrize("draw", [_cross, _plus])
def test_a_sign_beside_a_shadows_edge_is_not_a_digit(
    draw: Callable[[np.ndarray, int, int], None],
) -> None:
    """The letters network is asked of the 28x28 the digit model reads too: a cross above a
    shadow's edge, the two together no letter to it (before: the cross answered as a digit,
    as tic-tac-toe boards photographed on a desk were, docs/measurements/preparation.md,
    "Round 91")."""
    import digitcli

    picture = _over_a_round_shadow(draw)
    prepared = prepare(picture)
    assert not prepared.has_ink and prepared.refused is verdict.Kind.NOT_A_DIGIT
    (said,) = digitcli.load().predict(picture)
    assert (said.digit, said.note) == (None, verdict.NOT_A_DIGIT)
    (reading,) = digitcli.load().read(picture)
    assert (reading.number, reading.note) == (None, verdict.NOT_A_DIGIT)
