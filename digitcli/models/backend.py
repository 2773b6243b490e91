"""TensorFlow and Keras, imported once and quietly. Import only where a model is built or loaded."""

from digitcli.core.quiet import native_stderr_silenced

with native_stderr_silenced():
    import keras
    import tensorflow as tf

    # TensorFlow looks for GPUs the first time it lists its devices, and on a machine without
    # one (a CUDA build, a driver library, no device) says so in a native line on stderr,
    # `E0000 ... cuda_platform.cc:52] failed call to cuInit: ...`, which TF_CPP_MIN_LOG_LEVEL
    # below 3 lets through. Listing them here, silenced, makes that look happen now, once.
    tf.config.list_physical_devices()

__all__ = ["keras", "tf"]
