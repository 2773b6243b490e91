"""A line of words is no number (issue 86 item 2): the line reader knows letters as a class of
their own (`lines.LETTER`), and `read` refuses a line it reads as at least as many letters as
digits, in the verdict's words for what is not a digit. It read `dog` as 009 and a word in
handwriting as a number of digits, 190 times in 200."""

from __future__ import annotations

import cv2
import numpy as np

from digitcli import predict, read
from digitcli.core import fits
from digitcli.imaging import verdict
from digitcli.reading import lines, picture
from digitcli.reading.lines import CLASSES, SYMBOLS

WORDS = ("market", "brown fox", "the yard", "heavy", "kind words", "Thursday")


def _line(path, text: str, font: int = cv2.FONT_HERSHEY_SCRIPT_SIMPLEX) -> str:
    """`text` written on one line of a light page."""
    (width, height), _ = cv2.getTextSize(text, font, 2.0, 4)
    page = np.full((height + 80, width + 80), 235, np.uint8)
    cv2.putText(page, text, (40, height + 35), font, 2.0, 35, 4, cv2.LINE_AA)
    cv2.imwrite(str(path), page)
    return str(path)


def _reads(symbols: str):
    """A line reader that reads `symbols` in every strip ("?" a letter), blanks between."""

    def read_strips(strips: np.ndarray) -> np.ndarray:
        columns = strips.shape[-1] // 4
        found = np.full((len(strips), columns, CLASSES), 1e-4, np.float32)
        found[..., lines.BLANK] = 1.0
        for at, symbol in enumerate(symbols):
            index = 1 + SYMBOLS.index(symbol)
            found[:, 4 + 6 * at, :] = 1e-4
            found[:, 4 + 6 * at, index] = 1.0
        return found / found.sum(axis=-1, keepdims=True)

    return read_strips


def test_a_line_read_as_letters_is_refused_as_not_a_digit(monkeypatch, tmp_path):
    path = _line(tmp_path / "words.png", "kind words")
    (predicted,) = predict([path])
    assert predicted.digit is None and predicted.note.startswith("several digits")
    monkeypatch.setattr(picture, "read_strips", _reads("???7??"))
    (reading,) = read([path])
    assert (reading.number, reading.note) == (None, verdict.NOT_A_DIGIT)
    monkeypatch.setattr(picture, "read_strips", _reads("?417"))  # a number after a letter
    (reading,) = read([path])
    assert reading.number is not None and "?" not in (reading.text or "")


def test_words_written_on_a_line_are_no_number_to_read(tmp_path):
    """Hershey's script font, no letter of which the line reader learnt (it learnt real
    handwritten letters, and letters drawn by code in other fonts with a pen's wobble): on main
    before round 35 `read` answered a number for all six."""
    paths = [_line(tmp_path / f"{i}.png", text) for i, text in enumerate(WORDS)]
    readings = read(paths)
    refused = [r for r in readings if r.number is None]
    assert len(refused) >= 4, [(text, r.number) for text, r in zip(WORDS, readings, strict=True)]
    assert all(r.note == verdict.NOT_A_DIGIT for r in refused)


def test_the_line_reader_records_the_letters_it_learnt():
    training = fits.recorded(lines.MODEL)[fits.TRAINING]
    assert "--sources letters" in training["command"] or "letters" in training["data"]
    assert "NIST" in training["data"] and "Omniglot" in training["data"]
