"""Batch predict as the work grows: throughput and peak memory at 1,000, 10,000 and 50,000 files.

The photo files of the predict benchmark (`make_photos.py`) are listed again and again up to
each count and handed to one `digitcli predict --from-list LIST --format jsonl` whose output
goes to /dev/null, as a batch job streams it. Each count is one cold process; the figures are
its images per second and the peak memory of the process and its workers together (sampled
from /proc every 20 ms), two ways: resident memory summed (RSS: pages shared between the
forked workers, such as the libraries' code, counted once per process) and the proportional
set size summed (PSS: each shared page divided among the processes that share it, so the sum
is what the whole tree holds).

    python bench/perf/predict_scaling.py                      # 1000 10000 50000 (about 15 min here)
    python bench/perf/predict_scaling.py --counts 1000 5000 --model
    MNIST/models/mlp-512-64-lr0.001-e18
    python bench/perf/predict_scaling.py --photos DIR         # reuse make_photos.py's files in DIR
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
DIGITCLI = (
    [str(BIN / "digitcli")] if (BIN / "digitcli").exists() else [sys.executable, "-m", "digitcli"]
)
COUNTS = (1000, 10_000, 50_000)
SAMPLE_SECONDS = 0.02


@dataclass
class Scaling:
    files: int
    seconds: float
    peak_mb: float  # summed RSS
    peak_pss_mb: float

    @property
    def rate(self) -> float:
        return self.files / self.seconds


def tree_rss_bytes(pid: int) -> int:
    """Resident memory of `pid` and all its descendants, summed, in bytes (Linux /proc)."""
    return tree_memory_bytes(pid)[0]


def tree_memory_bytes(pid: int) -> tuple[int, int]:
    """(RSS, PSS) of `pid` and all its descendants, each summed, in bytes (Linux /proc)."""
    rss = pss = 0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            rollup = Path(f"/proc/{current}/smaps_rollup").read_text()
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue  # it ended between two reads
        rss += _kilobytes(status, "VmRSS:")
        pss += _kilobytes(rollup, "Pss:")
        pending += [int(child) for child in children]
    return rss * 1024, pss * 1024


def _kilobytes(text: str, field: str) -> int:
    for line in text.splitlines():
        if line.startswith(field):
            return int(line.split()[1])
    return 0


def run_listing(listing: Path, model: Path | None, files: int) -> Scaling:
    """One cold `predict --from-list` over `listing`, output streamed to /dev/null."""
    command = [*DIGITCLI, "predict", "--from-list", str(listing), "--format", "jsonl", "-q"]
    if model is not None:
        command += ["--model", str(model)]
    started = time.perf_counter()
    peak = peak_pss = 0.0
    with subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) as process:
        while process.poll() is None:
            rss, pss = tree_memory_bytes(process.pid)
            peak, peak_pss = max(peak, rss / 2**20), max(peak_pss, pss / 2**20)
            time.sleep(SAMPLE_SECONDS)
        errors = process.stderr.read().decode(errors="replace") if process.stderr else ""
    seconds = time.perf_counter() - started
    if process.returncode not in (0, 1, 3):  # 1: some inputs failed, 3: some unanswered
        raise SystemExit(f"predict failed ({process.returncode}):\n{errors[-2000:]}")
    return Scaling(files, seconds, peak, peak_pss)


def measure(photos: list[Path], counts: tuple[int, ...], model: Path | None, work: Path):
    """A Scaling for each count, the photo files repeated to fill it."""
    results = []
    for count in counts:
        listing = work / f"list-{count}.txt"
        with open(listing, "w") as out:
            for index in range(count):
                out.write(f"{photos[index % len(photos)]}\n")
        results.append(run_listing(listing, model, count))
    return results


def make_photos(work: Path, count: int = 1000) -> list[Path]:
    from make_photos import load_mnist, make_photo_set

    x, y = load_mnist("t10k")
    return [path for path, _ in make_photo_set(x[:count], y[:count], work / "photos", count)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counts", type=int, nargs="+", default=list(COUNTS))
    parser.add_argument("--model", type=Path, help="default: the latest trained, else bundled")
    parser.add_argument("--photos", type=Path, help="a folder of photo files made before")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="digitcli-scaling-") as tmp:
        work = Path(tmp)
        photos = sorted(args.photos.iterdir()) if args.photos else make_photos(work)
        results = measure(photos, tuple(args.counts), args.model, work)
    first = results[0]
    print("| files | seconds | images/s | vs the first | peak memory (PSS) | (RSS summed) |")
    print("|---|---|---|---|---|---|")
    for row in results:
        print(f"| {row.files:,} | {row.seconds:.1f} | {row.rate:.0f} | "
              f"{row.rate / first.rate:.2f}x | {row.peak_pss_mb:.0f} MB | "
              f"{row.peak_mb:.0f} MB |")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(REPO / "tests" / "generators"))
    raise SystemExit(main())
