"""What a picture's colours say of it: a colour photo of a thing (a sky, grass, fur, a red car)
or writing on paper (a pen, a sheet, a desk).

The first look (`digitcli.imaging.polarity`) sees a picture in grey, where an airplane on a
plain sky, a duck on white or a car in a showroom is a dark shape on light paper, as a digit
is. Their colours tell them apart: paper is nearly grey, with a pen's few coloured strokes;
a photo of a thing is coloured all over, in several hues. `colours.tflite` (built by
`bench/build/make_colours.py` from the real development pictures and photos of things; its
fits record names them, its seed and its command) weighs `features`, the picture's colours
measured once when it is decoded, with the grey network's answer, and says whether the
picture is a thing. A grey picture has no colours to weigh: the grey network's answer is
the first look's. It runs through LiteRT (`digitcli.core.litert`), loaded on first use.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from digitcli.imaging import networks
from digitcli.imaging.settings import tuned

MODEL = Path(__file__).parent / "colours.tflite"
FITS = networks.FITS  # it learnt the first look at these settings
CLASSES = ("writing", "a thing")  # what the network tells apart, in its order
WRITING, THING = range(len(CLASSES))
INFO = "colours"  # the key of an opened image's `info` holding its `features`
PILLOW_COLOURS = frozenset({"RGB", "P", "CMYK", "YCbCr"})  # Pillow's modes of colour pictures


def features(bgr: np.ndarray) -> np.ndarray:
    """The colours of a picture (OpenCV's BGR, uint8), sampled at about half the preparation's
    working size (the grey first look sees it at 64 px): how far its pixels are from grey
    (eight shares of their chroma, the spread of their channels, from grey to full colour: a
    dark pixel's noise is no colour, as it would be in saturation), how many hues its colours
    hold (the entropy of its twelve hues, each weighed by its pixels' chroma, and the largest
    one's share) and how its brightness spreads (float32)."""
    return _measured(sampled(bgr))


def sampled(pixels: np.ndarray) -> np.ndarray:
    """Every few pixels of a picture, each kept as it is (nearest), about half the
    preparation's working size a side: what `features` measures. Any pixel format: a
    conversion pixel by pixel after it gives what it would have before."""
    height, width = pixels.shape[:2]
    step = max(1, max(height, width) * 2 // tuned().work_size)
    if step == 1:
        return pixels
    size = (max(1, width // step), max(1, height // step))
    return cv2.resize(pixels, size, interpolation=cv2.INTER_NEAREST)


def _measured(sampled: np.ndarray) -> np.ndarray:
    hue, saturation, value = cv2.split(cv2.cvtColor(sampled, cv2.COLOR_BGR2HSV))
    chroma = saturation.astype(np.uint16) * value // 255  # max - min of B, G, R
    # each pixel's hue (12 of 30 degrees) and chroma (8 bands of 32 levels), counted together
    joint = np.bincount((hue // 15 * 8 + (chroma >> 5)).ravel(), minlength=96).reshape(12, 8)
    shares = joint.sum(axis=0) / chroma.size
    weights = joint @ np.arange(8)
    hues = weights / max(weights.sum(), 1)
    held = hues[hues > 0]
    entropy = float(-(held * np.log(held)).sum())
    spread = float(value.std()) / 255.0
    return np.array([*shares, entropy, hues.max(), spread], np.float32)


def of_pillow(image: Image.Image) -> np.ndarray | None:
    """`features` of a Pillow image in colour (RGB, a palette, CMYK, YCbCr) without
    transparency; None for any other (grey, or transparent: what shows is not its colours)."""
    if image.mode not in PILLOW_COLOURS or "transparency" in image.info:
        return None
    few = Image.fromarray(sampled(np.asarray(image)), image.mode)  # not the whole converted
    if image.mode == "P":
        few.putpalette(image.getpalette())
    return _measured(cv2.cvtColor(np.asarray(few.convert("RGB")), cv2.COLOR_RGB2BGR))


def thing(found: np.ndarray, colours: np.ndarray) -> bool:
    """Whether a picture whose grey first look answered `found` (`polarity.CLASSES`' chances)
    and whose colours are `colours` (`features`) is a photo of a thing."""
    weighed = np.concatenate([found.astype(np.float32), colours])[np.newaxis]
    return int(np.argmax(networks.network(MODEL)(weighed)[0])) == THING
