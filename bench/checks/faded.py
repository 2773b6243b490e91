"""A built set of real pictures with its ink faded: the same writing, fainter, as a pencil, a
worn pen or an old register's ink leaves it.

    python bench/checks/faded.py --set DIR --out DIR2 --share 0.3
    python bench/checks/real_numbers.py score --set DIR2      # or real_pictures.py score

`--set` is a set `real_pictures.py build` or `real_numbers.py build` wrote. Each picture is
written again under the same name in `--out` with every pixel moved towards the picture's
paper (the median of each colour channel) until its difference from the paper is `--share` of
what it was: ink 120 levels darker than its paper is then 36 darker at 0.3. The noise of the
paper fades with it, so what stands out from the paper still stands out: at 0.3 a person still
reads the numbers of the real sets, some with effort. Each file is written again in its own
format (JPEG at quality 95). The manifest, any other file and pictures of 16 bits or with
transparency are copied as they are, so that `score` reads the faded set as the set itself.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from real_pictures import write_file  # noqa: E402

PICTURES = (".png", ".jpg", ".jpeg", ".bmp")
JPEG = (".jpg", ".jpeg")


def faded(pixels: np.ndarray, share: float) -> np.ndarray:
    """`pixels` (grey or colour, uint8) with each one's difference from the paper (the median
    of each channel) times `share`."""
    values = pixels.astype(np.float32)
    paper = np.median(values.reshape(-1, values.shape[-1] if values.ndim == 3 else 1), axis=0)
    moved = paper + (values - paper) * share
    return np.clip(np.rint(moved), 0, 255).astype(np.uint8)


def fade_set(folder: Path, out: Path, share: float) -> int:
    """Write `folder`'s set faded to `share` into `out`; the number of pictures faded."""
    count = 0
    for source in sorted(folder.rglob("*")):
        if not source.is_file():
            continue
        target = out / source.relative_to(folder)
        target.parent.mkdir(parents=True, exist_ok=True)
        pixels = None
        if source.suffix.lower() in PICTURES:
            pixels = cv2.imread(str(source), cv2.IMREAD_UNCHANGED)
        transparent = pixels is not None and pixels.ndim == 3 and pixels.shape[2] == 4
        if pixels is None or pixels.dtype != np.uint8 or transparent:
            shutil.copyfile(source, target)  # a manifest, or a picture this does not fade
            continue
        options = [cv2.IMWRITE_JPEG_QUALITY, 95] if source.suffix.lower() in JPEG else []
        ok, data = cv2.imencode(source.suffix.lower(), faded(pixels, share), options)
        if not ok:
            raise SystemExit(f"{source}: could not be written again")
        write_file(target, data.tobytes())
        count += 1
    return count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--set", type=Path, required=True, dest="folder")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--share", type=float, required=True, help="of the ink's contrast kept")
    args = parser.parse_args(argv)
    if not 0 < args.share <= 1:
        parser.error("--share is above 0 and at most 1")
    if not args.folder.is_dir():
        parser.error(f"no such set: {args.folder}")
    if args.out.resolve() == args.folder.resolve():
        parser.error("--out must be another folder than --set")
    print(f"{fade_set(args.folder, args.out, args.share)} pictures faded into {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
