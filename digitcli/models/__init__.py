"""Building, saving, describing and running models: the one model-building module, the
model directory's format, model cards, and the runtimes (Keras, LiteRT, ONNX, SavedModel)
behind one call. May import `core` and `imaging`; TensorFlow only where a model is built."""
