"""Exporting a model to other runtimes' formats, each verified. May import `reports`
and every stage below it, not `training`."""
