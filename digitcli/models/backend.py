"""TensorFlow and Keras, imported once and quietly. Import only where a model is built or loaded."""

import os

from digitcli.core.process import QUIET_TF, TF_LOG_ENV
from digitcli.core.quiet import native_stderr_silenced

# TensorFlow's C++ start-up lines quieted for its import alone: a program using digitcli as a
# library keeps its environment as it was (the command line sets it for good, core/process.py).
_unset = TF_LOG_ENV not in os.environ
if _unset:
    os.environ[TF_LOG_ENV] = QUIET_TF
try:
    with native_stderr_silenced():
        import keras
        import tensorflow as tf

        # TensorFlow looks for GPUs the first time it lists its devices, and on a machine
        # without one (a CUDA build, a driver library, no device) says so in a native line on
        # stderr, `E0000 ... cuda_platform.cc:52] failed call to cuInit: ...`, which
        # TF_CPP_MIN_LOG_LEVEL below 3 lets through. Listing them here, silenced, makes that
        # look happen now, once.
        tf.config.list_physical_devices()
finally:
    if _unset:
        os.environ.pop(TF_LOG_ENV, None)

__all__ = ["keras", "tf"]
