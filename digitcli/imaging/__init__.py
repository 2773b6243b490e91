"""Any image file to the 28x28 digit a model reads: bounded decoding, orientation, paper
and ink, clutter, fitting into MNIST's box. May import `core` only."""
