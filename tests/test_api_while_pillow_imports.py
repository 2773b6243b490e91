"""An API call made while another thread is still importing Pillow (PIL.Image is in
sys.modules, its Image class not yet defined) takes an array as an array: it raised
AttributeError ("partially initialized module 'PIL.Image' has no attribute 'Image'")."""

from __future__ import annotations

import sys
import types

import numpy as np
import pytest

import digitcli


def test_an_array_is_an_array_while_pillow_is_half_imported(monkeypatch: pytest.MonkeyPatch):
    pixels = np.zeros((28, 28), np.uint8)
    pixels[6:22, 12:16] = 255  # a 1
    expected = digitcli.load("bundled").predict(pixels, processes=0)
    monkeypatch.setitem(sys.modules, "PIL.Image", types.ModuleType("PIL.Image"))
    assert digitcli.load("bundled").predict(pixels, processes=0) == expected
