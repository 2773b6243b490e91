"""digitcli: train, evaluate, run and export handwritten-digit classifiers."""

import os

__version__ = "0.9.1"

# TensorFlow's C++ start-up chatter (CPU features, missing CUDA) is noise on a user's terminal;
# set before TensorFlow is first imported, and overridable from the environment.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
