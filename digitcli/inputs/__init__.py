"""The input layer: what the user named, as sources, prepared in batches by a pool of worker
processes. Shared by `predicting`, `reading`, `serve` and `datasets`; imports only `imaging`
and `core`."""
