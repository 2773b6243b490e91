"""Real handwritten characters that are not digits, for the 28x28 half of the judge
(`judge_small.py`, issue 86 item 2): Omniglot's background set, small1 and small2
(github.com/brendenlake/omniglot @ 057f034, `python/images_background_small{1,2}.zip`,
MIT licence; Lake, Salakhutdinov, Tenenbaum 2015). 105x105 black-on-white pictures drawn
online by 20 people (`_01` ... `_20` in the file names) of Latin (capitals), Greek,
Korean, Balinese, Early Aramaic, Japanese katakana, Sanskrit and Tagalog; small1 and small2
share Latin and Greek (the same files), counted once here: 5,316 drawings of 242
characters (Latin's are lowercase letters).

    python bench/build/omniglot.py screen --root OMNI --sheet SHEET.png

`screen` reads every drawing with the shipped digit model as `predict` reads a PNG file and
lists the characters at least half of whose drawings it reads as one digit (confidence 0.9
or more): 57 of the 242 characters. A human look at the contact sheet of those kept out the
21 in `LEFT_OUT` (their usual shape is a digit's: a stroke, a ring, an angle, a 4, the
Devanagari 3); the other 36 stay in (Latin's b c g q s v x y z among them: a handwritten
s is not a 5).

Kept out of training to judge on: the drawers `HELD_DRAWERS` of every alphabet, and the
alphabet `HELD_ALPHABET` altogether (its drawings are never trained on).
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from pathlib import Path

import numpy as np
from PIL import Image

BENCH = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(BENCH.parent))

HELD_DRAWERS = frozenset({17, 18, 19, 20})
HELD_ALPHABET = "Tagalog"
# (alphabet, character number): characters a hand writes as a digit (the `screen` step's
# flagged characters a human look judged so); the digit each is read as.
LEFT_OUT = {
    ("Balinese", 5): "a 7", ("Early_Aramaic", 1): "a 4", ("Early_Aramaic", 2): "a 9",
    ("Early_Aramaic", 4): "a 4", ("Early_Aramaic", 6): "a 4", ("Early_Aramaic", 16): "a 0",
    ("Early_Aramaic", 17): "a 7", ("Early_Aramaic", 20): "a 4", ("Greek", 9): "iota, a 1",
    ("Greek", 15): "omicron, a 0", ("Japanese_(katakana)", 27): "fu, a 7",
    ("Japanese_(katakana)", 43): "wa, a 7", ("Korean", 21): "a stroke, a 1",
    ("Korean", 22): "an angle, a 7", ("Korean", 33): "a ring, a 0", ("Latin", 9): "i, a 1",
    ("Latin", 12): "l, a 1", ("Latin", 15): "o, a 0", ("Sanskrit", 37): "Devanagari 3",
    ("Tagalog", 3): "a 3", ("Tagalog", 4): "a loop, a 0",
}  # fmt: skip
FLAG_SHARE = 0.5  # `screen`: flagged where at least half the drawings read as one digit
FLAG_CONFIDENCE = 0.9


def drawings(root: Path):
    """(alphabet, character number, drawer, path) of every drawing under `root` (the two
    unzipped folders), each alphabet once."""
    seen = set()
    for part in sorted(p for p in root.glob("images_background_small*") if p.is_dir()):
        for alphabet in sorted(p for p in part.iterdir() if p.is_dir()):
            if alphabet.name in seen:
                continue
            seen.add(alphabet.name)
            for character in sorted(alphabet.iterdir()):
                number = int(re.sub(r"\D", "", character.name))
                for path in sorted(character.glob("*.png")):
                    drawer = int(path.stem.split("_")[1])
                    yield alphabet.name, number, drawer, path


def kept(alphabet: str, number: int) -> bool:
    return (alphabet, number) not in LEFT_OUT


def held(alphabet: str, drawer: int) -> bool:
    """Whether a drawing is kept out of training (to judge on)."""
    return alphabet == HELD_ALPHABET or drawer in HELD_DRAWERS


def ink(path: Path) -> np.ndarray:
    """The drawing's ink coverage (0-1), cropped to it."""
    ink = 1.0 - np.asarray(Image.open(path).convert("L"), np.float32) / 255.0
    rows, cols = np.flatnonzero(ink.max(1) > 0.05), np.flatnonzero(ink.max(0) > 0.05)
    if rows.size == 0:
        return ink
    return ink[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]


def screen(args) -> None:
    from digitcli.predicting.predict import predict

    rows = list(drawings(args.root))
    said = predict([str(r[3]) for r in rows])
    read: dict[tuple[str, int], list] = {}
    for (alphabet, number, _, path), answer in zip(rows, said, strict=True):
        sure = answer.digit if (answer.confidence or 0) >= FLAG_CONFIDENCE else None
        read.setdefault((alphabet, number), []).append((sure, path))
    flagged = []
    for key, answers in sorted(read.items()):
        digit, n = (
            Counter(d for d, _ in answers if d is not None).most_common(1)[0]
            if any(d is not None for d, _ in answers)
            else (None, 0)
        )
        if n >= FLAG_SHARE * len(answers):
            flagged.append((key, digit, answers[0][1]))
            mark = "LEFT OUT" if key in LEFT_OUT else "kept"
            print(f"{key[0]} {key[1]}: {n}/{len(answers)} read as {digit} ({mark})")
    print(f"{len(flagged)} of {len(read)} characters flagged; {len(LEFT_OUT)} left out")
    if args.sheet:
        tiles = [np.asarray(Image.open(p).convert("L").resize((70, 70))) for _, _, p in flagged]
        tiles += [np.full((70, 70), 128, np.uint8)] * (-len(tiles) % 8)
        grid = np.vstack([np.hstack(tiles[i : i + 8]) for i in range(0, len(tiles), 8)])
        Image.fromarray(grid).save(args.sheet)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("step", choices=("screen",))
    parser.add_argument("--root", type=Path, required=True, help="the unzipped images")
    parser.add_argument("--sheet", type=Path, help="screen: a contact sheet of the flagged")
    args = parser.parse_args()
    screen(args)


if __name__ == "__main__":
    main()
