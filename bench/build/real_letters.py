"""Real handwritten letters and signs that are not digits, and digits written by the same
hands, from public sets, as ink coverage (0-1) for the letters network
(`judge_small.py letters`, issue 86 item 2):

- CROHME 2016's handwritten mathematical expressions (github.com/vndee/offline-crohme @
  0e09cbd, `CROHME_labeled_2016/`; the competition's data, TC11): InkML files of pen strokes,
  each symbol a trace group with its truth and its writer, drawn here from its strokes. Its
  `TrainINKML` is trained on; its `TEST2016_INKML_GT`, other writers, is held out; its
  `TestEM2014GT` is a check no choice looked at (`judge_small.py check --crohme`). Its
  training writers' digits are learnt as digits (`judge_small.py letters --digits`).
- Handwritten characters on paper, scanned or photographed and cropped
  (github.com/TasnimulIntazamAsif/Handwritten_Letter_Indentification @ b4b59ff, `PNG/`, MIT
  licence): 100 drawings of each of A-Z, a-z and 0-9 (`CAP_A_7.png`, `SMALL_q_3.png`,
  `DIGIT_5_0.png`); its digits stay digits.

- NIST Special Database 19's handwritten characters, from two public samples of it:
  `nist_characters`, 1,000 of each vowel in both cases from its `by_class` folders
  (github.com/viniciusdenovaes/Unip222PI @ 1372378, `dataset/v20220930/`, 128x128 black on
  white), and `az_letters`, 5,934 rows of the "A-Z Handwritten Data" table of capitals made
  from it (github.com/jExbrayat/recognize-handwritten-letters @ 1c4ca5f,
  `data/raw/sample-*-distribution.parquet`, 28x28 white on black); neither repository states a
  licence for them, NIST's database is public. Round 26.
- Handwritten Arabic words (github.com/MuhammadWael/Arabic-words-dataset @ 999bcdd,
  `Handwritten words/`, MIT licence): one folder a word, each written many times on a phone's
  whiteboard app with a finger, many of them photographed sideways (`arabic_words`). Every
  other folder is held out: `bench/checks/word_pictures.csv`'s rows of those words are the
  check, its rows of the others a development figure. Round 54.

Characters written as a digit are left out of all (`DIGIT_LIKE`: o, O, i, l, I, j, a bar,
brackets, a dot, crossed or slashed rings), and so are those a hand writes as one: g and q
(a 9), b and G (a 6), B and beta (an 8), s and S (a 5), z and Z (a 2), gamma and lambda:
learnt as not digits, they had real 9s and 6s refused (docs/measurements/preparation.md,
"Round 17").
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

DIGITS = frozenset("0123456789")
DIGIT_LIKE = DIGITS | frozenset("oOilIj|/()[].,!-" "gqbBGsSzZ") | {
    "\\prime", "\\{", "\\}", "\\ldots", "\\theta", "\\phi", "\\sigma", "\\lt", "\\gt", "\\in",
    "\\beta", "\\gamma", "\\lambda",
    "\\sin", "\\cos", "\\tan", "\\log", "\\lim",  # words: several characters, not one
}  # fmt: skip
CROHME_TRAIN, CROHME_HELD, CROHME_CHECK = "TrainINKML", "TEST2016_INKML_GT", "TestEM2014GT"
BOX = 64  # px: a symbol's strokes are drawn this long on its longer side
PEN = 3  # px: the pen they are drawn with at that size
NIST_FOLDER = re.compile(r"train_([0-9a-f]{2})")  # by_class: the character's code, in hex
PEN_NAME = re.compile(r"(CAP|SMALL|DIGIT)_(\w)_(\d+)\.png$", re.IGNORECASE)


def crohme_symbols(
    root: Path, part: str, most: int, *, digits: bool = False
) -> Iterator[tuple[str, np.ndarray]]:
    """(label, ink coverage) of each kept symbol of the InkML files of CROHME's `part` (one of
    CROHME_TRAIN, CROHME_HELD, CROHME_CHECK), at most `most` of each label, in name order;
    `digits`: its digits instead."""
    seen: Counter = Counter()
    for path in sorted((root / part).rglob("*.inkml")):
        for label, strokes in _symbols(path):
            wanted = label in DIGITS if digits else label not in DIGIT_LIKE
            if not wanted or seen[label] >= most:
                continue
            seen[label] += 1
            yield label, drawn(strokes)


def _symbols(path: Path) -> Iterator[tuple[str, list[np.ndarray]]]:
    """(truth, strokes) of each trace group of an InkML file; each stroke (n, 2) points.
    None of a file that is not well-formed XML (a few of the training files)."""
    try:
        root = ElementTree.parse(path).getroot()
    except ElementTree.ParseError:
        return
    traces = {
        element.get("id"): _points(element.text or "")
        for element in root.iter()
        if _tag(element) == "trace"
    }
    for group in root.iter():
        if _tag(group) != "traceGroup":
            continue
        truth = [c.text for c in group if _tag(c) == "annotation" and c.get("type") == "truth"]
        refs = [c.get("traceDataRef") for c in group if _tag(c) == "traceView"]
        strokes = [traces[ref] for ref in refs if len(traces.get(ref, ())) > 0]
        if truth and truth[0] and strokes:
            yield truth[0].strip(), strokes


def _tag(element: ElementTree.Element) -> str:
    return element.tag.rsplit("}", 1)[-1]


def _points(text: str) -> np.ndarray:
    points = [point.split()[:2] for point in text.split(",") if len(point.split()) >= 2]
    return np.array(points, np.float64).reshape(-1, 2)


def drawn(strokes: list[np.ndarray]) -> np.ndarray:
    """The strokes drawn by a PEN-px pen, their longer side BOX px, as ink coverage."""
    points = np.concatenate(strokes)
    low, extent = points.min(axis=0), max(np.ptp(points, axis=0).max(), 1e-6)
    scale = (BOX - 1) / extent
    size = np.ceil(np.ptp(points, axis=0) * scale).astype(int) + 1 + 2 * PEN
    canvas = np.zeros((size[1], size[0]), np.uint8)
    for stroke in strokes:
        line = np.round((stroke - low) * scale + PEN).astype(np.int32)
        cv2.polylines(canvas, [line], False, 255, PEN, cv2.LINE_AA)
    return canvas.astype(np.float32) / 255.0


def pen_characters(root: Path) -> Iterator[tuple[str, int, Image.Image]]:
    """(character, drawing number, picture as scanned, grey) of each file of the pen set's
    `PNG/` folder but those written as a digit of another kind (`DIGIT_LIKE` letters)."""
    for path in sorted(root.iterdir()):
        found = PEN_NAME.match(path.name)
        if found is None:
            continue
        kind, character, number = found.groups()
        if kind.upper() != "DIGIT" and character in DIGIT_LIKE:
            continue
        picture = Image.open(path)
        if min(picture.size) < 4:
            continue  # SMALL_i_83.png: 1x2 px
        white = Image.new("RGBA", picture.size, "white")
        yield character, int(number), Image.alpha_composite(white, picture.convert("RGBA"))


WORDS_HELD = 2  # `arabic_words`: every second word's folder (in name order) is held out


def arabic_words(root: Path) -> Iterator[tuple[str, bool, Image.Image]]:
    """(word, held out, picture as `predict` decodes it) of each file of the Arabic words
    dataset's `Handwritten words/` folder (`root`), its folders in name order, every
    WORDS_HELD-th held out; a file OpenCV cannot decode is left out."""
    from digitcli.core.errors import ImageError
    from digitcli.imaging.images import open_image

    for number, folder in enumerate(sorted(p for p in root.iterdir() if p.is_dir())):
        for path in sorted(folder.iterdir()):
            try:
                picture = open_image(path)
            except ImageError:
                continue
            yield folder.name, number % WORDS_HELD == WORDS_HELD - 1, picture


def coverage(picture: Image.Image) -> np.ndarray:
    """A dark-on-light picture's ink coverage (0-1), its lightest pixel paper."""
    grey = np.asarray(picture.convert("L"), np.float32)
    return np.clip((grey.max() - grey) / max(1.0, grey.max() - grey.min()), 0, 1)


def nist_characters(root: Path) -> Iterator[tuple[str, int, np.ndarray]]:
    """(character, drawing number, ink coverage) of each picture of NIST's `by_class` folders
    under `root` (`train_41/*.png`: an A), in name order, but `DIGIT_LIKE` characters."""
    for folder in sorted(root.rglob("train_*")):
        found = NIST_FOLDER.fullmatch(folder.name)
        if not folder.is_dir() or found is None:
            continue
        character = chr(int(found.group(1), 16))
        if character in DIGIT_LIKE:
            continue
        for number, path in enumerate(sorted(folder.glob("*.png"))):
            yield character, number, coverage(Image.open(path))


def az_letters(paths: list[Path]) -> Iterator[tuple[str, int, np.ndarray]]:
    """(capital, row number, ink coverage) of the rows of "A-Z Handwritten Data" tables in
    Parquet (a label 0-25, A-Z, then 784 grey levels of a 28x28, white on black), each
    picture once, but `DIGIT_LIKE` capitals."""
    import pyarrow.parquet as parquet

    seen: set[bytes] = set()
    number = 0
    for path in paths:
        table = parquet.read_table(path)
        rows = np.column_stack([column.to_numpy() for column in table.columns])
        for row in rows:
            pixels = np.clip(row[1:785], 0, 255).astype(np.uint8)
            character = chr(ord("A") + int(row[0]))
            if pixels.tobytes() in seen or character in DIGIT_LIKE:
                continue
            seen.add(pixels.tobytes())
            number += 1
            yield character, number, pixels.reshape(28, 28).astype(np.float32) / 255.0
