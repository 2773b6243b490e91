"""What a picture holds, said in one wording by `predict` and `read` alike: no digit (a blank
picture, ink that is lines, a page or a picture rather than digits, or ink that is not a
digit: a letter, a symbol, a drawing), one digit, or several."""

from __future__ import annotations

BLANK = "no digit found: the image is blank"
NOT_DIGITS = "no digit found: lines, a page or a picture, not one digit"
NOT_A_DIGIT = "no digit found: not a digit (a letter, a symbol or a drawing)"


def several(groups: int) -> str:
    """The note for ink that is several digits: `groups` apart (1: touching)."""
    found = f"{groups} found" if groups > 1 else "2 or more, touching"
    return f"several digits ({found}): use `digitcli read`"
