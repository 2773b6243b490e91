"""The preparation's networks (the first look, the colours, the judge, the writing, the
letters and the count networks): each LiteRT file is loaded once a process, on first use,
and refused unless it was built for this preparation's settings (`core.fits`)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from digitcli.core.litert import Runner
from digitcli.imaging import settings as preparation

FITS = {"preparation": preparation.DEFAULT}  # what each of them learnt depends on


@cache
def network(path: Path) -> Runner:
    """The network in `path`, one LiteRT thread per interpreter (`Runner`)."""
    return Runner(path, stages=("preparation",), fits=FITS, threads=1)
