"""TensorFlow and Keras, imported once and quietly. Import only where a model is built or loaded."""

from digitcli.quiet import native_stderr_silenced

with native_stderr_silenced():
    import keras
    import tensorflow as tf

__all__ = ["keras", "tf"]
