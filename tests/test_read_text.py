"""`read`'s `text`: what was written, the marks in and after a number included ("18.056",
"200.-"), where `number` keeps the digits only; in every output format and the API."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image, ImageDraw
from test_read import write_number

from digitcli.api import Reading as ApiReading
from digitcli.reading.lines import (
    CLASSES,
    DIGIT_CLASSES,
    LETTER,
    SYMBOLS,
    best_path,
    digits_only,
    in_letters,
    likelihood,
    without_letters,
    written_path,
    written_text,
)
from digitcli.reading.read import Reading, _checked, read
from digitcli.terminal.formats import Shown, render_readings


def columns(*symbols: str) -> np.ndarray:
    """Probabilities of a line reader with marks and letters that reads `symbols` ("" a blank
    column), each 0.6 sure, a digit 1 at 0.3 where a mark or a letter is read (a dot looks like
    a 1)."""
    found = np.full((len(symbols), CLASSES), 0.1 / (CLASSES - 2), np.float32)
    for at, symbol in enumerate(symbols):
        chosen = 1 + SYMBOLS.index(symbol) if symbol else 0
        found[at, chosen] = 0.6
        found[at, 2 if chosen > 10 else (chosen + 1) % CLASSES or 1] = 0.3
    return found / found.sum(axis=1, keepdims=True)


def test_a_mark_is_no_digit_in_the_number_nor_in_its_likelihood():
    found = columns("1", "", "8", ".", "0", "", "5", "6", "=")
    folded = digits_only(found)
    assert folded.shape[-1] == DIGIT_CLASSES
    assert np.allclose(folded.sum(axis=1), 1.0)
    assert "".join(str(d) for d, _, _ in best_path(folded)) == "18056"
    # the marks' columns count as blank: the digits alone are the likeliest reading
    assert likelihood(folded, "18056") > likelihood(folded, "1810561")


def test_the_written_path_keeps_the_marks_in_their_places():
    path = written_path(columns("1", "", "8", ".", "0", "", "5", "6", "="))
    assert "".join(symbol for symbol, _ in path) == "18.056="
    assert [at for _, at in path] == sorted(at for _, at in path)


def test_between_two_digits_the_path_keeps_one_mark_the_surest():
    """A dot and a comma read over one mark's columns (a register's `12,5` was `12.,5`): one
    separator stands between two digits, the likelier; marks after the last digit stay."""
    found = columns("1", "2", ".", ",", "5", "", "0", ".", "-")
    found[3, 1 + SYMBOLS.index(",")] = 0.8  # the comma surer than the dot
    found /= found.sum(axis=1, keepdims=True)
    path = written_path(found)
    assert "".join(symbol for symbol, _ in path) == "12,50.-"
    assert written_text(path, "1250") == "12,50.-"


def test_the_text_takes_the_final_digits_and_keeps_the_marks():
    path = written_path(columns("", "2", "0", "", "0", ".", "\u2014"))
    assert written_text(path, "200") == "200.\u2014"
    assert written_text(path, "290") == "290.\u2014"  # a digit the classifier overruled
    assert written_text(path, "2000") == "2000"  # another count of digits: the digits alone
    assert written_text([], "74") == "74"


def test_a_line_of_letters_is_words_and_its_digits_are_read_as_without_the_letter_class():
    word = written_path(columns(LETTER, "", LETTER, "0", "", LETTER))  # "dog", its o read a 0
    assert "".join(symbol for symbol, _ in word) == "??0?" and in_letters(word, 3)
    assert in_letters(written_path(columns(LETTER, "", LETTER, "", LETTER, "1", "", "7")), 3)
    assert not in_letters(written_path(columns("6", ",", "6", LETTER, "", LETTER)), 3)  # 6,600
    assert not in_letters(written_path(columns("7", "", LETTER)), 3)  # one letter is no word
    assert not in_letters(written_path(columns("6", LETTER, "", LETTER)), 3)  # nor two: 638
    assert not in_letters(written_path(columns(LETTER, "", "1", "5", ".", "0")), 3)  # "N 15.0"
    # a word written joined up, read as one or two letters and no digit (an Arabic word of the
    # words set, read 26 before), is words too
    assert in_letters(written_path(columns(LETTER)), 3)
    assert in_letters(written_path(columns(LETTER, "", LETTER, ",")), 3)
    # the digits, marks and text are read as by the reader without the letter class: it learnt
    # that class alone, every other weight as it was
    with_letter = columns(LETTER, "", "7", ".", "5")
    without = with_letter[:, :-1] / with_letter[:, :-1].sum(axis=1, keepdims=True)
    assert np.allclose(without_letters(with_letter), without)
    assert np.allclose(digits_only(with_letter), digits_only(without))
    assert LETTER not in "".join(symbol for symbol, _ in written_path(without))


def test_a_reading_rejected_by_digits_has_no_text_either():
    reading = _checked(Reading("a.png", "18056", 0.9, text="18.056"), None, (4, 4))
    assert reading.number is None and reading.text is None


READINGS = [
    Reading("a.png", "18056", 0.9, text="18.056"),
    Reading("b.png", "42", 0.8, text="42"),
    Reading("c.png", note="no digit found: the image is blank"),
]


@pytest.mark.parametrize("fmt", ["plain", "csv", "jsonl", "table"])
def test_each_format_shows_the_text(fmt, capsys):
    render_readings(iter(READINGS), Shown(fmt, quiet=True))
    out = capsys.readouterr().out
    if fmt == "plain":
        assert out.splitlines()[:2] == ["a.png\t18056\t\t18.056", "b.png\t42\t\t42"]
        assert out.splitlines()[2] == "c.png\t\tno digit found: the image is blank\t"
    elif fmt == "csv":
        rows = out.splitlines()
        assert rows[0] == "file,number,confidence,note,text"
        assert rows[1] == "a.png,18056,0.900000,,18.056"
    elif fmt == "jsonl":
        answers = [json.loads(line) for line in out.splitlines()]
        assert [a["number"] for a in answers] == ["18056", "42", None]
        assert [a["text"] for a in answers] == ["18.056", "42", None]
    else:
        assert "18.056" in out and "text" in out


def test_a_table_without_marks_has_no_text_column(capsys):
    render_readings(iter(READINGS[1:]), Shown("table", quiet=True))
    assert "text" not in capsys.readouterr().out


def test_the_api_reading_carries_the_text_and_its_json():
    answer = READINGS[0]
    assert type(answer) is ApiReading  # one type: the API answers with the reading layer's
    assert answer.text == "18.056" and answer.number == "18056"
    assert answer.to_json()["text"] == "18.056"
    assert [row.text for row in answer.rows()] == ["18.056"]


@pytest.mark.parametrize(("number", "after"), [("125", 2), ("4788", 2), ("1021", 1)])
def test_a_decimal_point_written_on_the_line_is_in_the_text(
    mnist_test_digits, tmp_path, number, after
):
    """A dot on the line between two digits, as a decimal point is written: the line reader
    read `125` for `12.5` when segmentation dropped the dot as a speck before it saw it."""
    path = tmp_path / "decimal.png"
    truth = write_number(mnist_test_digits, number, path, gap=0.6)
    image = Image.open(path)
    x = (truth[after - 1][2] + truth[after][0]) // 2
    bottom = max(box[3] for box in truth)
    ImageDraw.Draw(image).ellipse([x - 5, bottom - 10, x + 5, bottom], fill=25)
    image.save(path)
    (reading,) = read([str(path)])
    assert reading.number == number
    assert reading.text == number[:after] + "." + number[after:]
