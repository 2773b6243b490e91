"""Reading whole handwritten numbers: the line reader first, segmentation where it is unsure.
May import `reports` and every stage below it, not `training` or `exporting`."""
