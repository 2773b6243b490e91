"""`read` on numbers written on ruled paper: `predict`'s preparation, a test for one digit,
found no ink where the lines ran through a number's digits and off the picture's sides, and
`read` took its word that the picture was blank."""

from __future__ import annotations

from pathlib import Path

import pytest

from digitcli.imaging.images import prepare_file
from digitcli.reading.read import read

FIXTURES = Path(__file__).resolve().parent / "fixtures"
MODEL = Path(__file__).resolve().parent.parent / "digitcli" / "models" / "pretrained"


def test_a_number_on_lined_paper_is_read_and_several_digits_to_predict():
    """`tests/generators/make_numbers.py --paper lined --seed 76`, tight-0007. Predict's preparation
    called it blank paper while the vetoes refused ink on lines; the judge lets it through
    and the digits are counted."""
    path = FIXTURES / "lined-771180.jpg"
    prepared = prepare_file(path)
    assert prepared.has_ink and prepared.groups > 1  # "several digits"
    (reading,) = read([str(path)], model=str(MODEL))
    assert reading.number == "771180" and reading.note is None


@pytest.mark.parametrize(
    "name, number", [("lined-1021552.jpg", "1021552"), ("lined-2893.jpg", "2893")]
)
def test_a_long_number_on_lined_paper_is_several_digits_to_predict(name, number):
    """Predict's preparation called these blank before 0.6.6: the long number's strokes,
    narrow against its width, were taken for lines across the picture."""
    prepared = prepare_file(FIXTURES / name)
    assert prepared.has_ink and prepared.groups > 1  # "several digits"
    (reading,) = read([str(FIXTURES / name)], model=str(MODEL))
    assert reading.number == number and reading.note is None


@pytest.mark.parametrize("name", ["blank-fold-band.jpg", "blank-shadow-band.jpg"])
def test_blank_paper_still_holds_no_number(name):
    (reading,) = read([str(FIXTURES / name)], model=str(MODEL))
    assert reading.number is None
