"""Importing a command's modules without the cyclic garbage collector.

What importing makes (modules, classes, functions, NumPy's and OpenCV's tables) lives until
the process ends, so collecting while importing finds next to nothing: a one-image `predict`
spent ~20 ms of CPU on it, ~7% of its run. `importing()` pauses the collector for its block and,
where the block imported modules, freezes what is alive at its end (`gc.freeze`), so that later
collections pass over it too (a command run again in the same process freezes nothing more).
"""

from __future__ import annotations

import contextlib
import gc
import sys
from collections.abc import Iterator


@contextlib.contextmanager
def importing() -> Iterator[None]:
    """No cyclic garbage collection in the block; the collector is on after it if it was on
    before."""
    was_on = gc.isenabled()
    modules = len(sys.modules)
    gc.disable()
    try:
        yield
    finally:
        if len(sys.modules) > modules:
            gc.freeze()
        if was_on:
            gc.enable()
