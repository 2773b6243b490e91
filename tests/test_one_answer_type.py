"""One frozen answer type each for a digit and a number: what `serve` and the CLI's layers
answer with is what the Python API hands out (no twin types, no conversions), and nobody can
change an answer once given (issue 88 item 4)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import digitcli
from digitcli.api.inputs import as_source
from digitcli.inputs.sources import Source
from digitcli.models.runtimes import load_runtime, resolve_model
from digitcli.predicting.predict import predict_sources
from digitcli.reading.read import read_sources


def _ones() -> Source:
    pixels = np.zeros((28, 28), np.uint8)
    pixels[6:22, 13:15] = 255  # a stroke: a one, white on black as in MNIST
    return as_source(pixels)


@pytest.fixture(scope="module")
def runtime():
    return load_runtime(resolve_model("bundled"))


def test_serve_predicts_with_the_api_type(runtime):
    predictions, _ = predict_sources(runtime, [_ones()])
    assert type(predictions[0]) is digitcli.Prediction


def test_serve_reads_with_the_api_type(runtime):
    readings = read_sources(runtime, [_ones()])
    assert type(readings[0]) is digitcli.Reading
    assert all(type(digit) is digitcli.Digit for digit in readings[0].digits)


@pytest.mark.parametrize(
    "answer",
    [
        digitcli.Prediction("a.png", 7, 0.9, [(7, 0.9)]),
        digitcli.Reading("a.png", "42", 0.8, [digitcli.Digit(4, 0.9, (0, 0, 1, 1))]),
        digitcli.Digit(4, 0.9, (0, 0, 1, 1)),
    ],
)
def test_an_answer_is_frozen(answer):
    field = dataclasses.fields(answer)[1].name
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(answer, field, None)


def test_the_twins_are_gone():
    with pytest.raises(ImportError):
        __import__("digitcli.api.answers")
