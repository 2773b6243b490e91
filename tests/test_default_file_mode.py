"""`models use` writes default.json as every other file is written, by the umask (a service
account sharing the models folder must read it), not 0600 as a temporary file is made."""

from __future__ import annotations

import os
import stat

import pytest

from digitcli.core.config import models_root
from digitcli.models.modeldir import BUNDLED_DIR, DEFAULT_FILE, set_default


@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o002, 0o664), (0o077, 0o600)])
def test_default_json_follows_the_umask(umask: int, mode: int) -> None:
    before = os.umask(umask)
    try:
        set_default(BUNDLED_DIR)
    finally:
        os.umask(before)
    assert stat.S_IMODE((models_root() / DEFAULT_FILE).stat().st_mode) == mode
