"""The serve page shows no broken-image icon before anything is drawn (issue 88): the preview
has no picture until an answer brings one, and an image without a source is not shown."""

from __future__ import annotations

import re
from pathlib import Path

STATIC = Path(__file__).resolve().parent.parent / "digitcli" / "serve" / "static"


def test_the_preview_without_a_picture_is_hidden() -> None:
    page = (STATIC / "index.html").read_text()
    preview = re.search(r"<img [^>]*id=\"preview\"[^>]*>", page).group(0)
    assert "src=" not in preview  # nothing drawn yet: no picture
    css = (STATIC / "page.css").read_text()
    rule = re.search(r"#preview:not\(\[src\]\)\s*\{([^}]*)\}", css)
    assert rule and "visibility: hidden" in rule.group(1)
