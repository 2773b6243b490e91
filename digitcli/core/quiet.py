"""Silence native libraries that write to the process's stderr behind Python's back."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator

from digitcli.core.config import DEBUG_ENV


@contextlib.contextmanager
def native_stderr_silenced() -> Iterator[None]:
    """Send file descriptor 2 to /dev/null for the block (unless $DIGITCLI_DEBUG is set).

    TensorFlow's and LiteRT's C++ start-up lines ignore TF_CPP_MIN_LOG_LEVEL; Python exceptions
    raised inside the block are unaffected.
    """
    if os.environ.get(DEBUG_ENV):
        yield
        return
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
