"""The paper a picture is written on: its level and its noise, and the rule for which side of it
a small crop's ink lies (`imaging.polarity` decides, for every picture).

One estimator for both of digitcli's readers: `predict`'s preparation (`imaging.ink`, `images`)
and `read`'s segmentation (`reading.ink`), so that the two agree on a picture's polarity and
measure its paper alike. The paper is what the picture's border mostly shows (a band of
border_band of its shorter side, all four sides), or, on a form's cell cut out at its box, what
lies just inside the box's lines; its level and spread are those of Otsu's darker class once the
ink is bright; its noise is measured below its level, where ink never lies.
"""

from __future__ import annotations

import numpy as np

from digitcli.imaging import clutter
from digitcli.imaging.grayscale import MID_GREY
from digitcli.imaging.histograms import extremes, histogram, mad, otsu_threshold, quantile
from digitcli.imaging.settings import tuned


def border_band(shape: tuple[int, ...]) -> int:
    """How many px wide the border taken for paper is, in a picture of `shape`."""
    return max(1, round(tuned().border_band * min(shape[:2])))


def dark_by_extremes(gray: np.ndarray) -> bool:
    """Whether the ink is darker than the paper (uint8 `gray`) by the rule `imaging.polarity`
    keeps for a digit's own crop: the ink is the side whose extreme grey levels lie further
    from the paper's. With no ink to speak of (extremes within faintest_ink of the paper),
    light paper is taken to hold dark ink, dark paper light."""
    band = border_band(gray.shape)
    border = np.concatenate(
        [gray[:band].ravel(), gray[-band:].ravel(), gray[:, :band].ravel(), gray[:, -band:].ravel()]
    )
    paper = quantile(histogram(border), 0.5)
    hist = histogram(gray)
    contrast = tuned().min_contrast
    if abs(quantile(hist, 0.5) - paper) >= contrast:  # the border may be a box's lines
        paper = clutter.paper_inside_a_box(gray, band, paper, contrast)
    darkest, lightest = extremes(hist)
    if max(paper - darkest, lightest - paper) < tuned().faintest_ink:
        return paper > MID_GREY
    return paper - darkest > lightest - paper


def paper_statistics(hist: np.ndarray) -> tuple[float, float]:
    """The paper's level and spread (a standard deviation, robust) from a histogram of grey
    levels with the ink bright: the median and deviation of Otsu's darker class."""
    paper = hist.copy()
    paper[int(otsu_threshold(hist)) + 1 :] = 0
    median = quantile(paper, 0.5)
    return median, 1.4826 * mad(paper, median)  # a normal's deviation from its MAD


def paper_level(signal: np.ndarray) -> float:
    """The paper's one level in `signal` (ink bright): where ink may fill most of the picture
    (a small scan), the median of Otsu's darker class, not of the picture."""
    return paper_statistics(histogram(np.clip(signal, 0, 255).astype(np.uint8)))[0]


def noise_below(flat: np.ndarray) -> float:
    """The paper's noise (a standard deviation) from the pixels below its level (`flat`: the
    picture less its paper, ink bright): ink never lies there, so they are noise alone. The
    spread of what lies above understates it where the paper sits at the noise's own mean."""
    under = histogram(np.clip(-flat[::2, ::2], 0.0, 255.0))  # a quarter of them: 4x faster
    under[0] = 0  # at the paper or less than a grey level below it
    return quantile(under, 0.5) / 0.6745  # a normal's median absolute value, in sigmas
