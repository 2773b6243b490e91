"""The API's query parameters, each read one way: numbers in ASCII digits only (no sign, no
exponent, no other script's digits, which `int()` and `float()` would take), words from a
fixed list. An empty value is the same as none. Anything else is a 400 naming the parameter."""

from __future__ import annotations

import re
from collections.abc import Mapping

from digitcli.core.errors import UsageError
from digitcli.reading.count import parse_digit_count
from digitcli.serve.errors import HTTPProblem

_WHOLE = re.compile(r"[0-9]{1,6}")
_DECIMAL = re.compile(r"[0-9]{1,6}(\.[0-9]{0,12})?|\.[0-9]{1,12}")
_TRUE, _FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


def integer(query: Mapping[str, str], key: str, default: int, low: int, high: int) -> int:
    text = query.get(key) or ""
    if not text:
        return default
    if not (_WHOLE.fullmatch(text) and low <= int(text) <= high):
        raise _bad(key, text, f"a whole number from {low} to {high}")
    return int(text)


def fraction(query: Mapping[str, str], key: str) -> float | None:
    """A number from 0 to 1, written like 0.9 or .9; None when not given."""
    text = query.get(key) or ""
    if not text:
        return None
    if not (_DECIMAL.fullmatch(text) and float(text) <= 1.0):
        raise _bad(key, text, "a number from 0 to 1, like 0.9")
    return float(text)


def choice(query: Mapping[str, str], key: str, choices: tuple[str, ...]) -> str:
    """One of `choices`; the first when not given."""
    text = query.get(key) or choices[0]
    if text not in choices:
        raise _bad(key, text, f"one of {', '.join(choices)}")
    return text


def flag(query: Mapping[str, str], key: str) -> bool:
    text = query.get(key) or "0"
    if text.lower() not in _TRUE + _FALSE:
        raise _bad(key, text, "1 or 0 (true or false)")
    return text.lower() in _TRUE


def digit_count(query: Mapping[str, str]) -> tuple[int, int] | None:
    """?digits=, N or MIN-MAX, in the words of `read --digits`; None when not given."""
    text = query.get("digits") or ""
    try:
        return parse_digit_count(text) if text else None
    except UsageError as error:
        raise HTTPProblem(400, str(error).replace("--digits", "digits")) from None


def _bad(key: str, text: str, wanted: str) -> HTTPProblem:
    shown = text if len(text) <= 40 else text[:40] + "..."
    return HTTPProblem(400, f"{key}={shown!r}: give {wanted}")
