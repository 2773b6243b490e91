"""Which way round the ink is: darker than its paper (a pen on paper) or lighter (chalk on a
board, a light digit on a dark canvas).

A picture of paper (`paper_size` a side or more: a photo, a scan) is judged by a small network
(`polarity.tflite`, built by `bench/build/make_polarity.py` from scenes drawn by code, MNIST's
training digits and the real development pictures; its fits record names its data, seeds and
command) that looks at the whole picture, shrunk, and answers the chance that its ink is dark.
It replaced, there, a rule (`paper.dark_by_extremes`) that compared the darkest and lightest
few pixels with the paper along the border: a page half in a window's light and half in
shadow has its lightest pixels further from the shadowed paper than a pencil's darkest, and
was read as light ink on dark paper, so called blank. A smaller picture is a digit's own crop
(an MNIST-sized PNG, a coarse scan filled with ink), which the rule reads right and the
network, at that size, does not always: the rule stays for it.

`predict` and `read` ask it (`--invert auto`) of what they look at: the sheet of paper on a
desk, the scanned cell inside its lid, or the whole picture (a white sheet on a dark desk
holds dark ink, though the whole photo of it is a light region on a dark ground); every line
`read` reads of it follows that answer. The network runs through LiteRT
(`digitcli.core.litert`), loaded on first use.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import cv2
import numpy as np

from digitcli.core.litert import Runner
from digitcli.imaging import orderstats
from digitcli.imaging import settings as preparation
from digitcli.imaging.paper import dark_by_extremes
from digitcli.imaging.settings import tuned

MODEL = Path(__file__).parent / "polarity.tflite"
FITS = {"preparation": preparation.DEFAULT}  # it learnt the pictures these settings open


def ink_is_dark(gray: np.ndarray) -> bool:
    """Whether the ink of a grey picture (uint8) is darker than its paper: the network's word
    on a picture of paper, the rule's on a smaller crop."""
    if max(gray.shape) < tuned().paper_size:
        return dark_by_extremes(gray)
    return chance_dark(gray) >= 0.5


def chance_dark(gray: np.ndarray) -> float:
    """The network's chance that the ink of `gray` (uint8) is darker than its paper."""
    network = _network(MODEL)
    side = int(network.input["shape"][1])
    return float(network(view(gray, side)[np.newaxis])[0, 0])


def view(gray: np.ndarray, side: int) -> np.ndarray:
    """(side, side, 2) float32 of a grey picture (uint8) squeezed to `side` px a side (the
    network's input's): its grey levels over 255, and the same stretched from its 1st to its
    99th percentile (a faint pencil on grey paper)."""
    small = cv2.resize(gray, (side, side), interpolation=cv2.INTER_AREA).astype(np.float32)
    low, high = orderstats.percentile(small, 1), orderstats.percentile(small, 99)
    stretched = np.clip((small - low) / max(high - low, 1.0), 0.0, 1.0)
    return np.stack([small / 255.0, stretched], axis=-1)


@cache
def _network(path: Path) -> Runner:
    return Runner(path, stages=("preparation",), fits=FITS, threads=1)
