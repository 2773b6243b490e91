"""JSON as RFC 8259 has it: no NaN or Infinity, which Python's json writes and many parsers
(JavaScript's, jq's, Go's) refuse. A value that is not a finite number becomes null."""

from __future__ import annotations

import json
import math
from typing import Any


def dumps(data: Any, **options: Any) -> str:
    return json.dumps(finite(data), allow_nan=False, **options)


def finite(data: Any) -> Any:
    """`data` with NaN and infinities replaced by None, in dicts, lists and tuples too."""
    if isinstance(data, float):
        return data if math.isfinite(data) else None
    if isinstance(data, dict):
        return {key: finite(value) for key, value in data.items()}
    if isinstance(data, (list, tuple)):
        return [finite(value) for value in data]
    return data
