"""The standard streams when their reader has gone (`digitcli predict d | head -1`)."""

from __future__ import annotations

import contextlib
import os
from typing import TextIO


def flushed(stream: TextIO | None) -> bool:
    """Flush `stream`; False when its reader has gone (it then points at /dev/null)."""
    if stream is None:
        return True
    try:
        stream.flush()
    except BrokenPipeError:
        silence(stream)
        return False
    except (OSError, ValueError):
        return True
    return True


def silence(stream: TextIO) -> None:
    """Point `stream` at /dev/null, so that Python's own flush at exit raises nothing more
    (the recipe of Python's documentation on SIGPIPE)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    with contextlib.suppress(OSError, ValueError, AttributeError):
        os.dup2(devnull, stream.fileno())
