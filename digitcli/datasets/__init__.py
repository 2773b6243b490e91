"""The data a model is trained and scored on, in every format digitcli reads: MNIST's
IDX files, .npz, CSV, and folders of image files (prepared as `predict` prepares them). May
import `predicting`, `models`, `imaging` and `core`."""
