"""Where one file's preparation goes, by kind of file: decoding alone, `open_image`, `prepare_file`.

CPU milliseconds a file in one process (the median of --repeat passes over each kind's files,
after one pass that warms the page cache and the lazy imports), for each kind of file in a
folder: the part of the name after its number (`00042_paper_jpeg.jpg` is a `paper_jpeg.jpg`,
as tests/generators/make_photos.py names them), else its suffix. The columns:

- decode: OpenCV or Pillow decoding the bytes as `imaging.decoding.plan` says (JPEG at the
  reduced scale libjpeg gives), nothing else: the floor under preparing that file;
- open: `open_image`, the small upright grey working copy (decoding included);
- prepare: `prepare_file`, the 28x28 a model reads (everything included);
- prepare / decode: how far preparing the file is above its floor.

The digitcli on PYTHONPATH is measured, so the same script measures another checkout:

    python bench/perf/prepare_split.py PHOTOS
    PYTHONPATH=../before python bench/perf/prepare_split.py PHOTOS     # an older checkout

A checkout from before 0.6 (one `digitcli/images.py`, no `digitcli.imaging`) gets the prepare
column alone.
"""

from __future__ import annotations

import argparse
import io
import re
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from PIL import Image

import digitcli

# Looked for in the checkout itself: an editable install of another one would supply the
# subpackages this one lacks, and its preparation would be measured instead.
if (Path(digitcli.__file__).parent / "imaging").is_dir():
    from digitcli.imaging import decoding
    from digitcli.imaging.images import prepare_file
    from digitcli.imaging.opening import open_image
    from digitcli.imaging.settings import tuned
else:  # before 0.6: preparing a file, as a whole, is all that compares
    from digitcli.images import prepare_file

    decoding = open_image = None

_NUMBERED = re.compile(r"^\d+_(.+)$")


def kind(path: Path) -> str:
    named = _NUMBERED.match(path.name)
    return named.group(1) if named else path.suffix.lower()


def decode_alone(data: bytes) -> None:
    with Image.open(io.BytesIO(data)) as im:
        if decoding.decode(data, decoding.plan(im, data, tuned().work_size)) is None:
            im.load()


def cpu_ms(work: Callable[[bytes | Path], object], items: list, repeat: int) -> float:
    """The median over `repeat` passes of the CPU ms `work` takes an item."""
    passes = []
    for _ in range(repeat):
        start = time.process_time()
        for item in items:
            work(item)
        passes.append((time.process_time() - start) * 1000 / len(items))
    return statistics.median(passes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="image files (make_photos.py's)")
    parser.add_argument("--per-kind", type=int, default=60, help="files of each kind at most")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    groups: dict[str, list[Path]] = {}
    for path in sorted(args.folder.iterdir()):
        if path.suffix.lower() in (".png", ".jpg", ".jpeg"):
            groups.setdefault(kind(path), []).append(path)
    print("| kind | files | decode ms | open ms | prepare ms | prepare / decode |")
    print("|---|---|---|---|---|---|")
    for name, paths in sorted(groups.items()):
        paths = paths[: args.per_kind]
        datas = [path.read_bytes() for path in paths]
        for path in paths:  # warm: the page cache, and imports done on first use
            prepare_file(path)
        prepared = cpu_ms(prepare_file, paths, args.repeat)
        if decoding is None:
            print(f"| {name} | {len(paths)} | - | - | {prepared:.2f} | - |")
            continue
        decode = cpu_ms(decode_alone, datas, args.repeat)
        opened = cpu_ms(open_image, paths, args.repeat)
        print(f"| {name} | {len(paths)} | {decode:.2f} | {opened:.2f} | {prepared:.2f} | "
              f"{prepared / decode:.1f}x |")  # fmt: skip


if __name__ == "__main__":
    main()
