"""Peak memory and time of `digitcli predict` on single hostile files (issue 50).

    python bench/perf/hostile_memory.py [--repo DIR]

Writes the files to a temporary folder, runs `python -m digitcli predict FILE` there once per
file (DIR on PYTHONPATH, default this checkout) and prints the peak RSS of the process and
its workers (ru_maxrss of the children, read by a small wrapper process) and the wall time.
Files: a 10,950 x 10,950 RGBA PNG (466 KB), the same in 16-bit grey, in 8-bit grey (the
largest grey picture under the pixel limit), a 4,300 x 4,300 RGBA PNG (just under the
decoded-size limit), and a valid PNG followed by 200 MB of zeros.
"""

from __future__ import annotations

import argparse
import os
import struct
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def png(side: int, depth: int, colour: int, ink: bool = True) -> bytes:
    channels = {0: 1, 6: 4}[colour]
    width = side * channels * depth // 8
    blank = bytes(1 + width)
    bar = bytearray(blank)
    if ink:  # a dark bar: a "1" on a black (and transparent) picture is still a picture
        bar[1 + width * 45 // 100 : 1 + width * 52 // 100] = b"\xc8" * (width * 7 // 100)
    packer = zlib.compressobj(9)
    body = [packer.compress(bytes(bar) if side // 5 <= r < 4 * side // 5 else blank)
            for r in range(side)]  # fmt: skip
    data = b"".join(body) + packer.flush()
    ihdr = struct.pack(">IIBBBBB", side, side, depth, colour, 0, 0, 0)

    def chunk(kind: bytes, payload: bytes) -> bytes:
        crc = zlib.crc32(kind + payload)
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", crc)

    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", data) + chunk(b"IEND", b"")


# Runs the command after "--" and writes its peak RSS (KB) to the file named first. The peak is
# read in a small process of its own: a process's high-water mark starts from its parent's
# when it is exec'd, and this one held 200 MB of zeros.
MEASURED = (
    "import resource, subprocess, sys; code = subprocess.call(sys.argv[3:]); "
    "open(sys.argv[1], 'w').write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)); "
    "sys.exit(code)"
)


def measured(command: list[str], peak_file: Path) -> list[str]:
    """`command`, run so that its peak RSS (KB, its workers' included) ends up in peak_file."""
    return [sys.executable, "-c", MEASURED, str(peak_file), "--", *command]


def measure(path: Path, repo: Path) -> tuple[float, float]:
    """Peak RSS (MB) and seconds of one `predict` of `path`."""
    env = dict(os.environ, PYTHONPATH=str(repo))
    command = [sys.executable, "-m", "digitcli", "predict", str(path), "--format", "plain"]
    with tempfile.TemporaryDirectory() as tmp:
        peak_file = Path(tmp) / "peak"
        start = time.perf_counter()
        # run from the files' folder: `python -m` imports the current folder's digitcli first
        subprocess.run(measured(command, peak_file), env=env, cwd=path.parent, timeout=600,
                       capture_output=True)  # fmt: skip
        seconds = time.perf_counter() - start
        return int(peak_file.read_text()) / 1024, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", type=Path, default=REPO)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        files = {
            "rgba-10950.png": png(10_950, 8, 6),
            "grey16-10950.png": png(10_950, 16, 0),
            "grey8-10950.png": png(10_950, 8, 0),
            "rgba-4300.png": png(4_300, 8, 6),
        }
        for name, data in files.items():
            (folder / name).write_bytes(data)
        with open(folder / "zeros-200mb.png", "wb") as padded:
            padded.write(png(300, 8, 0))
            padded.write(bytes(200 * 2**20))
        for path in sorted(folder.iterdir()):
            peak, seconds = measure(path, args.repo)
            size = path.stat().st_size
            print(f"{path.name:20} {size / 1e3:>10,.0f} KB  peak {peak:6.0f} MB  {seconds:6.2f} s")


if __name__ == "__main__":
    main()
