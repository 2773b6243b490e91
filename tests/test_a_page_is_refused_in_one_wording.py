"""A page of writing is refused by `predict` and `read` alike, in the verdict's one wording
(issue 86): `read` said "no number: the ink lies in 11 lines, not one (a page of text?)" where
`predict` said "no digit found: lines, a page or a picture, not one digit"."""

from __future__ import annotations

import cv2
import numpy as np
from PIL import Image

from digitcli import predict, read
from digitcli.imaging import verdict
from digitcli.imaging.images import Prepared
from digitcli.imaging.verdict import Kind
from digitcli.reading import picture
from digitcli.reading.picture import ALL_PARTS, _read_picture
from digitcli.reading.segment import Line

WORDS = ["the quick brown fox", "jumps over the lazy", "dog and then it ran", "away into the",
         "dark forest where", "nobody could find it", "until the morning", "came and the sun",
         "rose over the hills", "and the birds sang", "their song"]  # fmt: skip


def _page(path) -> str:
    """Eleven lines of cursive writing on a light page."""
    page = np.full((110 * len(WORDS) + 90, 700), 240, np.uint8)
    for row, words in enumerate(WORDS):
        where = (30, 90 + row * 110)
        cv2.putText(page, words, where, cv2.FONT_HERSHEY_SCRIPT_SIMPLEX, 1.6, 30, 3, cv2.LINE_AA)
    cv2.imwrite(str(path), page)
    return str(path)


def test_a_page_of_writing_is_refused_by_both_in_the_same_words(tmp_path):
    page = _page(tmp_path / "page.png")
    (predicted,) = predict([page])
    (reading,) = read([page])
    assert predicted.digit is None and reading.number is None
    assert predicted.note == verdict.NOT_DIGITS
    assert reading.note == predicted.note


def test_where_read_finds_no_ink_it_refuses_for_predicts_reason():
    """A photo of a thing that `read`'s line finds no ink in was "blank" to `read` while
    `predict`'s verdict said "lines, a page or a picture": where the line finds no ink at
    all, predict's verdict (`whole`) is the answer, its digit or its reason."""
    blank = Image.new("L", (400, 300), 235)
    refused = Prepared(np.zeros((28, 28), np.uint8), False, False, refused=Kind.LINES)
    found = _read_picture(blank, (0, 0), lambda: refused, "auto", ALL_PARTS, False)
    assert found.whole is refused
    assert verdict.note(found.whole) == verdict.note(refused) != verdict.BLANK


def test_a_page_predict_refuses_for_another_reason_is_refused_in_predicts_words(
    tmp_path, monkeypatch
):
    """A note of Korean words on a desk (the desk photos' memo `144136_5`): not a digit to
    `predict`'s letters network, a page of writing to `read`'s count of its line's bands,
    which said "lines, a page or a picture". Where `read` takes a picture for a page, it asks
    `predict`'s verdict, and where that refuses the picture, its words are `read`'s too."""
    page = _page(tmp_path / "page.png")
    not_a_digit = Prepared(np.zeros((28, 28), np.uint8), False, False, refused=Kind.NOT_A_DIGIT)
    monkeypatch.setattr(picture, "prepare", lambda *args, **kwargs: not_a_digit)
    monkeypatch.setattr(picture, "find_lines", lambda *args: Line(lines=4))  # four bands of ink
    (reading,) = read([page])
    assert reading.number is None
    assert reading.note == verdict.note(not_a_digit) == verdict.NOT_A_DIGIT
