"""Reading whole handwritten numbers: segmentation, the verifier, the pair and line
readers. May import `reports` and every stage below it, not `training` or `exporting`."""
