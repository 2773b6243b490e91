"""The first look at a picture: which way round its ink is, darker than its paper (a pen on
paper) or lighter (chalk on a board, a light digit on a dark canvas), and whether it is a photo
of a thing (an animal, an object, a scene: no writing at all).

A picture of paper (`paper_size` a side or more: a photo, a scan) is judged by a small network
(`polarity.tflite`, built by `bench/build/make_polarity.py` from scenes drawn by code, MNIST's
training digits, the real development pictures and photos of things; its fits record names its
data, seeds and command) that looks at the whole picture, shrunk, and tells the three apart
(`CLASSES`). It replaced, there, a rule (`paper.dark_by_extremes`) that compared the darkest and
lightest few pixels with the paper along the border: a page half in a window's light and half
in shadow has its lightest pixels further from the shadowed paper than a pencil's darkest, and
was read as light ink on dark paper, so called blank. A smaller picture is a digit's own crop
(an MNIST-sized PNG, a coarse scan filled with ink), which the rule reads right and the
network, at that size, does not always: the rule stays for it, and a crop is never a thing.

`predict` and `read` ask it (`--invert auto`) of what they look at: the sheet of paper on a
desk, the scanned cell inside its lid, or the whole picture (a white sheet on a dark desk
holds dark ink, though the whole photo of it is a light region on a dark ground); every line
`read` reads of it follows that answer, and a photo of a thing is refused by both as a picture
(`images.prepare`, `reading.picture`; the judge's words for the photos it learnt): the ink
found in a cat's fur or a car's grille is no writing (before, a photo of a cat was a 4 to
`predict` and 48 digits to `read`). The network runs through LiteRT (`digitcli.core.litert`),
loaded on first use.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import cv2
import numpy as np

from digitcli.imaging import colours, networks, orderstats
from digitcli.imaging.paper import dark_by_extremes
from digitcli.imaging.settings import tuned

MODEL = Path(__file__).parent / "polarity.tflite"
FITS = networks.FITS  # it learnt the pictures these settings open
CLASSES = ("light ink", "dark ink", "a thing")  # what the network tells apart, in its order
LIGHT, DARK, THING = range(len(CLASSES))


@dataclass(frozen=True)
class Look:
    """What a first look at a whole picture tells: which way round its ink is, and whether it
    is a photo of a thing (an animal, an object, a scene) rather than of writing."""

    dark: bool
    thing: bool = False

    @classmethod
    def of(cls, found: np.ndarray) -> Look:
        """What the network's chance of each of `CLASSES` says: dark ink where it is likelier
        than light, a thing where a thing is likeliest."""
        return cls(dark=bool(found[DARK] >= found[LIGHT]), thing=int(np.argmax(found)) == THING)


def look(gray: np.ndarray, seen: np.ndarray | None = None) -> Look:
    """The first look at a grey picture (uint8): the network's on a picture of paper, the
    rule's on a smaller crop (its polarity; a crop is never taken for a thing). `seen`: the
    picture's colours (`colours.features`; None: a grey picture), weighed with the network's
    answer where that is no thing."""
    if max(gray.shape) < tuned().paper_size:
        return Look(dark=dark_by_extremes(gray))
    chance = chances(gray)
    found = Look.of(chance)
    if found.thing or seen is None:
        return found
    return replace(found, thing=colours.thing(chance, seen))


def ink_is_dark(gray: np.ndarray) -> bool:
    """Whether the ink of a grey picture (uint8) is darker than its paper (`look`)."""
    return look(gray).dark


def chances(gray: np.ndarray) -> np.ndarray:
    """The network's chance of each of `CLASSES` for `gray` (uint8)."""
    network = networks.network(MODEL)
    return network(view(gray, network.side)[np.newaxis])[0]


def view(gray: np.ndarray, side: int) -> np.ndarray:
    """(side, side, 2) float32 of a grey picture (uint8) squeezed to `side` px a side (the
    network's input's): its grey levels over 255, and the same stretched from its 1st to its
    99th percentile (a faint pencil on grey paper)."""
    small = cv2.resize(gray, (side, side), interpolation=cv2.INTER_AREA).astype(np.float32)
    low, high = orderstats.percentile(small, 1), orderstats.percentile(small, 99)
    stretched = np.clip((small - low) / max(high - low, 1.0), 0.0, 1.0)
    return np.stack([small / 255.0, stretched], axis=-1)
