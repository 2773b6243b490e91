"""Reading whole handwritten numbers: segmentation, the verifier and the line reader. May
import `reports` and every stage below it, not `training` or `exporting`."""
