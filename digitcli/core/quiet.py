"""Silence native libraries that write to the process's stderr behind Python's back."""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from collections.abc import Iterator

from digitcli.core.config import DEBUG_ENV

_LOCK = threading.Lock()
_silenced = {"depth": 0, "saved": -1}  # blocks open in any thread; the real stderr's copy


@contextlib.contextmanager
def native_stderr_silenced() -> Iterator[None]:
    """Send file descriptor 2 to /dev/null for the block (unless $DIGITCLI_DEBUG is set).

    TensorFlow's and LiteRT's C++ start-up lines ignore TF_CPP_MIN_LOG_LEVEL; Python exceptions
    raised inside the block are unaffected. Blocks open in several threads at once share one
    redirection: the first in sends fd 2 away, the last out brings it back (each saving and
    restoring its own would leave it at /dev/null when they overlap).
    """
    if os.environ.get(DEBUG_ENV):
        yield
        return
    with _LOCK:
        if _silenced["depth"] == 0:
            sys.stderr.flush()
            _silenced["saved"] = os.dup(2)
            with open(os.devnull, "w") as devnull:
                os.dup2(devnull.fileno(), 2)
        _silenced["depth"] += 1
    try:
        yield
    finally:
        with _LOCK:
            _silenced["depth"] -= 1
            if _silenced["depth"] == 0:
                os.dup2(_silenced["saved"], 2)
                os.close(_silenced["saved"])
