"""Answering image files with a digit each: inputs, batching and the worker pool that
`read` and `serve` share. May import `models`, `imaging` and `core`."""
