"""Real pictures of numbers in cells as the line reader's training strips (`make_line_reader.py
--more-data`).

    python bench/build/cell_strips.py --pictures DIR --values FILE --out cells.npz \
        [--leave-out bench/checks/real_numbers.csv]

`--values` lists each picture's text, `file;value` a line under a header (the form of the
AI4Good Meza OCR Challenge's `cell_images/training_set_values.txt`: cells cut from photographed
clinic registers, `10,200`, `-5`, `12.5`). Each picture is opened and its line found as `read`
finds it (`open_image`, `segment.find_line`); a picture whose line is one strip becomes a strip,
labelled with its text (digit d is d + 1, a mark 11 + its place in `lines.MARKS`, as
`make_line_reader.label_of`). Pictures whose bytes a `--leave-out` manifest names (its `sha256`
column: the development set of `read`) are left out, so that set stays a measure. The strips
are written as `make_line_reader.py --data` writes its own (`x`, `y`), with the names kept.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from make_line_reader import label_of  # noqa: E402

from digitcli.core.errors import ImageError  # noqa: E402
from digitcli.imaging.images import open_image  # noqa: E402
from digitcli.reading.lines import MARKS  # noqa: E402
from digitcli.reading.segment import find_line  # noqa: E402
from digitcli.reading.settings import DEFAULT  # noqa: E402

MOST_SYMBOLS = 16  # make_line_reader's MAX_DIGITS: a longer text is no line it can learn


def values(listing: Path) -> dict[str, str]:
    """file -> text, of a `file;value` listing (its header line skipped)."""
    rows = listing.read_text(encoding="utf-8").splitlines()[1:]
    return dict(row.split(";", 1) for row in rows if ";" in row)


def left_out(manifests: list[Path]) -> set[str]:
    """The sha256 of every picture the manifests name."""
    found: set[str] = set()
    for manifest in manifests:
        with manifest.open(encoding="utf-8") as rows:
            found.update(row["sha256"] for row in csv.DictReader(rows))
    return found


def learnable(text: str) -> bool:
    """Whether the line reader has a symbol for each character of `text`."""
    return 0 < len(text) <= MOST_SYMBOLS and all(c.isdigit() or c in MARKS for c in text)


def cell_strips(folder: Path, texts: dict[str, str], skip: set[str]) -> tuple[list, list, list]:
    """(strips, labels, names) of the pictures in `folder` that `texts` names."""
    strips, labels, names = [], [], []
    for name, text in sorted(texts.items()):
        path = folder / name
        data = path.read_bytes() if path.is_file() else b""
        if not data or not learnable(text.strip()) or hashlib.sha256(data).hexdigest() in skip:
            continue
        try:
            line = find_line(open_image(data, name=name, max_side=DEFAULT.work_width))
        except ImageError:
            continue
        if line.strips is None or len(line.strips) != 1:
            continue
        strips.append(line.strips[0])
        labels.append(label_of(text.strip()))
        names.append(name)
    return strips, labels, names


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pictures", type=Path, required=True)
    parser.add_argument("--values", type=Path, required=True, help="file;value a line")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--leave-out", type=Path, action="append", default=[])
    args = parser.parse_args(argv)
    texts = values(args.values)
    strips, labels, names = cell_strips(args.pictures, texts, left_out(args.leave_out))
    np.savez_compressed(args.out, x=np.stack(strips), y=np.stack(labels), names=np.array(names))
    print(f"{len(strips)} strips of {len(texts)} pictures written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
