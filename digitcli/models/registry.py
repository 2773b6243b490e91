"""The record of models written outside the models folder (`train -o PATH`), so that
`digitcli models` lists them and `models use NAME` finds them from any folder.

`models_root()/registry.json` holds `{"models": [ABSOLUTE_PATH, ...]}`, written whole (a reader
sees the old list or the new). A model moved or deleted since is passed over, not an error.
No TensorFlow here.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from digitcli.core.config import models_root

REGISTRY_FILE = "registry.json"
REGISTRY_BYTES = 4 * 1024 * 1024  # thousands of paths; a longer file is not one of ours


def registry_file() -> Path:
    return models_root() / REGISTRY_FILE


def recorded_models() -> list[Path]:
    """The model folders recorded, oldest first; an unreadable record counts as empty."""
    path = registry_file()
    try:
        if not path.is_file() or path.stat().st_size > REGISTRY_BYTES:
            return []
        listed = json.loads(path.read_text())["models"]
    except (OSError, ValueError, KeyError, TypeError):
        return []
    if not isinstance(listed, list):
        return []
    return [Path(entry) for entry in listed if isinstance(entry, str) and os.path.isabs(entry)]


def record_model(directory: Path) -> None:
    """Add the model folder `directory` (made absolute) to the record, written whole; a
    record that cannot be written is left as it was (the model itself is written)."""
    from digitcli.core.atomic import write_whole  # not on a command's cold path

    directory = Path(os.path.abspath(directory))
    known = recorded_models()
    if directory in known:
        return
    root = models_root()
    listed = {"models": [str(path) for path in [*known, directory]]}
    try:
        root.mkdir(parents=True, exist_ok=True)
        write_whole(root / REGISTRY_FILE, (json.dumps(listed, indent=1) + "\n").encode())
    except OSError:
        pass
