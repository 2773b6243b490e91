"""What digitcli changes in the process it runs in, only where that process is its own.

`import digitcli` changes nothing of the program that imports it. The command line (`cli.run`)
`claim`s its process: TensorFlow's C++ start-up lines (CPU features, missing CUDA) are quieted,
as a user's $TF_CPP_MIN_LOG_LEVEL allows, and OpenCV runs on one thread (`opencv_threads`:
images are small, batches already run a worker process per core), set before any worker is
forked, which inherits it (`cv2.setNumThreads` in a forked child whose parent ran OpenCV's
threads deadlocks: workers never call it). A program using the library keeps its own
settings; TensorFlow's import is quieted for that import alone (models/backend.py).
"""

from __future__ import annotations

import os

TF_LOG_ENV = "TF_CPP_MIN_LOG_LEVEL"
QUIET_TF = "3"
_claimed = False


def claim() -> None:
    """This process is digitcli's: the command line's. Not in a forked worker (see above)."""
    global _claimed
    _claimed = True
    os.environ.setdefault(TF_LOG_ENV, QUIET_TF)


def claimed() -> bool:
    return _claimed


def opencv_threads(cv2) -> None:
    """One OpenCV thread in digitcli's own process; a host program's setting is left alone."""
    if _claimed and cv2.getNumThreads() != 1:
        cv2.setNumThreads(1)
