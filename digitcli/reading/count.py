"""How many digits a reading must have, N or MIN-MAX: `read --digits`, serve's ?digits= and the
API's `digits=`. Plain Python, so the CLI checks --digits before NumPy and the reading
pipeline load."""

from __future__ import annotations

import re

from digitcli.core.errors import UsageError

MAX_DIGIT_COUNT = 1000  # --digits: far above any line a photo holds
DIGIT_COUNT = re.compile(r"([0-9]+)(?:-([0-9]+))?", re.ASCII)  # N or MIN-MAX, ASCII digits only


def parse_digit_count(text: str) -> tuple[int, int]:
    """`5` -> (5, 5); `4-6` -> (4, 6). Raises UsageError for anything else: an open range
    (`3-`, `-5`), other scripts' digits (`٣`, `３`), signs, spaces, underscores. The CLI's
    --digits and serve's ?digits= both parse with this."""
    match = DIGIT_COUNT.fullmatch(text)
    low, high = (int(match[1]), int(match[2] or match[1])) if match else (0, -1)
    if not 1 <= low <= high <= MAX_DIGIT_COUNT:
        raise UsageError(
            f"--digits {text!r}: give a count N or a range MIN-MAX of ASCII digits from 1 to "
            f"{MAX_DIGIT_COUNT}, e.g. 5 or 4-6"
        )
    return low, high
