"""A page of writing is refused by `predict` and `read` alike, in the verdict's one wording
(issue 86): `read` said "no number: the ink lies in 11 lines, not one (a page of text?)" where
`predict` said "no digit found: lines, a page or a picture, not one digit"."""

from __future__ import annotations

import cv2
import numpy as np

from digitcli import predict, read
from digitcli.imaging import verdict

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
