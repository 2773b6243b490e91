"""Write `digitcli/training/font_digits.npz`: the digits 0-9 in 73 handwriting fonts, laid out as
`digitcli.imaging.images` lays out a user's digit, for training to redraw some MNIST digits as.

The fonts are Google Fonts' handwriting families as Fontsource publishes them on npm (SIL Open
Font License 1.1, Caveat and a few others Apache 2.0); none of them is one of the Debian fonts
`bench/checks/robustness.py` reads its `fonts` digits in, so that source still measures fonts never
trained on. Fetch them into a folder, then render:

    mkdir fonts && cd fonts && for name in $(python ../bench/build/make_font_digits.py --list); do
        npm pack "@fontsource/$name" && tar xzf fontsource-$name-*.tgz \\
            --wildcards "package/files/$name-latin-400-normal.woff"; done && cd ..
    python bench/build/make_font_digits.py fonts        # writes digitcli/training/font_digits.npz

Each font draws each digit at PEN_WIDTHS stroke widths: 73 x 10 x 3 images (28 x 28, white ink
on black, the longest side 20 px, centre of mass at the centre).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from digitcli.imaging.images import fit_and_centre

REPO = Path(__file__).resolve().parents[2]
OUT = REPO / "digitcli" / "training" / "font_digits.npz"
FAMILIES = """
annie-use-your-telescope architects-daughter bad-script caveat caveat-brush cedarville-cursive
comforter coming-soon covered-by-your-grace crafty-girls dawning-of-a-new-day delius
edu-nsw-act-foundation edu-qld-beginner edu-sa-beginner edu-tas-beginner edu-vic-wa-nt-beginner
fuzzy-bubbles gaegu gamja-flower give-you-glory gloria-hallelujah gluten gochi-hand grape-nuts
handlee hi-melody homemade-apple indie-flower itim just-another-hand just-me-again-down-here
kalam la-belle-aurore loved-by-the-king mali mansalva marck-script mr-dafoe nanum-brush-script
nanum-pen-script nerko-one neucha nothing-you-could-do oooh-baby over-the-rainbow pangolin
patrick-hand permanent-marker playpen-sans poor-story rancho reenie-beanie rock-salt satisfy
schoolbell sedgwick-ave send-flowers shadows-into-light shadows-into-light-two shantell-sans
short-stack single-day square-peg sriracha sue-ellen-francisco swanky-and-moo-moo
the-girl-next-door waiting-for-the-sunrise walter-turncoat whisper yellowtail zeyada
""".split()
SIZE = 96  # px: the font size digits are drawn at, well above the 20 px they are fitted into
PEN_WIDTHS = (0, 2, 5)  # px at SIZE: the font's own strokes, and drawn thicker


def render(font_file: Path, digit: int, pen: int) -> np.ndarray:
    """One digit in one font, laid out 28 x 28 (uint8, white ink on black)."""
    font = ImageFont.truetype(str(font_file), SIZE)
    canvas = Image.new("L", (3 * SIZE, 3 * SIZE), 0)
    ImageDraw.Draw(canvas).text(
        (SIZE, SIZE // 2), str(digit), fill=255, font=font, stroke_width=pen, stroke_fill=255
    )
    return fit_and_centre(np.asarray(canvas, dtype=np.float32))


def font_files(folder: Path) -> list[Path]:
    files = []
    for family in FAMILIES:
        found = sorted(folder.rglob(f"{family}-latin-400-normal.woff"))
        if not found:
            raise SystemExit(f"{folder}: no {family}-latin-400-normal.woff (see --help)")
        files.append(found[0])
    return files


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("fonts", nargs="?", type=Path, help="folder holding the .woff files")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--list", action="store_true", help="print the families and stop")
    args = parser.parse_args()
    if args.list or args.fonts is None:
        print("\n".join(FAMILIES))
        return
    images, labels, fonts = [], [], []
    for index, font_file in enumerate(font_files(args.fonts)):
        for digit in range(10):
            for pen in PEN_WIDTHS:
                images.append(render(font_file, digit, pen))
                labels.append(digit)
                fonts.append(index)
    np.savez_compressed(
        args.out,
        images=np.stack(images),
        labels=np.array(labels, dtype=np.uint8),
        fonts=np.array(fonts, dtype=np.uint8),
        families=np.array(FAMILIES),
    )
    print(f"wrote {args.out}: {len(images)} digits in {len(FAMILIES)} fonts", file=sys.stderr)


if __name__ == "__main__":
    main()
