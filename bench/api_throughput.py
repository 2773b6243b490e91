"""The Python API's rate against the CLI's, and the Dask engine's on 1 and 2 workers.

On the same photo-like files (bench/make_photos.py, made once into --photos), in one session:

- `digitcli predict --from-list` (a process, its pool of one worker per core) against
  `digitcli.load("bundled").predict(paths)` in this process (the same pool): images a second,
  the ratio, and whether the answers are identical file for file;
- a cold `python -c "import digitcli; digitcli.load('bundled').predict(ONE)"` against a cold
  `digitcli predict ONE`, and `import digitcli` with the model loaded alone (medians);
- `digitcli.distributed_predict` on a LocalCluster of 1, then 2 worker processes (one thread
  each; the cluster started before the clock), answers identical to the CLI's, each worker
  loading the model once.

The machine's load average is printed before and after: on a shared machine, read the ratios.

    python bench/api_throughput.py                       # 1,000 files in build/bench-photos
    python bench/api_throughput.py --count 300 --repeat 1
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
ONE = REPO / "docs" / "examples" / "phone-photo.jpg"


def photos(folder: Path, count: int) -> list[str]:
    """`count` photo-like files in `folder`, made once (bench/make_photos.py's mix)."""
    sys.path.insert(0, str(REPO / "bench"))
    import make_photos

    files = sorted(folder.glob("*_*.*")) if folder.is_dir() else []
    if len(files) < count:
        x, y = make_photos.load_mnist("t10k")
        made = make_photos.make_photo_set(x[:count], y[:count], folder, count, seed=0)
        files = [path for path, _ in made]
    return [str(path) for path in files[:count]]


def mnist_pngs(folder: Path, count: int) -> list[str]:
    """MNIST's first `count` test digits as 28x28 PNG files, every other one black on white."""
    sys.path.insert(0, str(REPO / "bench"))
    import mnist_png

    images, _ = mnist_png.mnist_test(count)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i, pixels in enumerate(images):
        path = folder / f"mnist-{i:05d}.png"
        path.write_bytes(mnist_png.png_bytes(255 - pixels if i % 2 else pixels))
        paths.append(str(path))
    return paths


def cli_answers(listing: Path) -> tuple[float, list[dict]]:
    command = [str(BIN / "digitcli"), "predict", "--from-list", str(listing)]
    command += ["--model", "bundled", "-f", "jsonl"]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    return seconds, [json.loads(line) for line in done.stdout.splitlines()]


def api_answers(paths: list[str]) -> tuple[float, list[dict]]:
    import digitcli

    model = digitcli.load("bundled")
    started = time.perf_counter()
    answers = model.predict(paths, errors="keep")
    seconds = time.perf_counter() - started
    return seconds, [answer.to_json() for answer in answers]


def cold(argv: list[str], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run(argv, capture_output=True, check=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def engine(listing: Path, workers: int, out: Path) -> tuple[float, list[dict], dict]:
    from distributed import Client, LocalCluster

    import digitcli

    with (
        LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        client.wait_for_workers(workers)
        summary = digitcli.distributed_predict(listing, out, model="bundled", client=client)
    answers = [json.loads(line) for line in out.read_text().splitlines()]
    return summary.seconds, answers, summary.loads


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000, help="photo files (default 1000)")
    parser.add_argument("--photos", type=Path, default=REPO / "build" / "bench-photos")
    parser.add_argument("--repeat", type=int, default=2, help="runs of each, best kept")
    parser.add_argument("--no-engine", action="store_true", help="leave Dask out")
    parser.add_argument("--mnist", type=int, default=1000, help="MNIST test PNGs compared")
    parser.add_argument("--only-mnist", action="store_true", help="only compare those")
    args = parser.parse_args(argv)

    print(f"cores {os.cpu_count()}, load average before {os.getloadavg()}")
    work = Path(tempfile.mkdtemp(prefix="api-bench-"))
    if args.mnist:
        pngs = mnist_pngs(work / "mnist", args.mnist)
        (work / "mnist.txt").write_text("".join(f"{path}\n" for path in pngs))
        _, expected = cli_answers(work / "mnist.txt")
        _, answers = api_answers(pngs)
        print(f"MNIST test PNGs: {len(pngs)}, API and CLI identical: {answers == expected}")
        if args.only_mnist:
            return 0
    paths = photos(args.photos, args.count)
    listing = work / "list.txt"
    listing.write_text("".join(f"{path}\n" for path in paths))
    n = len(paths)

    cli_runs, api_runs = [], []
    for _ in range(args.repeat):  # interleaved: both see the same load
        cli_seconds, expected = cli_answers(listing)
        api_seconds, answers = api_answers(paths)
        cli_runs.append(cli_seconds)
        api_runs.append(api_seconds)
    cli_rate, api_rate = n / min(cli_runs), n / min(api_runs)
    print(f"predict --from-list     {cli_rate:7.1f} img/s  (best of {args.repeat}: {cli_runs})")
    print(f"API model.predict(list) {api_rate:7.1f} img/s  (best of {args.repeat}: {api_runs})")
    print(f"API / CLI               {api_rate / cli_rate:7.2f}x  identical: {answers == expected}")

    python = str(BIN / "python")
    code = f"import digitcli; digitcli.load('bundled').predict({str(ONE)!r})"
    loading = "import digitcli; digitcli.load('bundled').runtime()"
    repeat = 5
    cli_cold = cold([str(BIN / "digitcli"), "predict", str(ONE), "--model", "bundled"], repeat)
    api_cold = cold([python, "-c", code], repeat)
    api_load = cold([python, "-c", loading], repeat)
    print(f"cold: digitcli predict ONE {cli_cold:.3f}s, python -c import+load+predict ONE "
          f"{api_cold:.3f}s, import+load {api_load:.3f}s (medians of {repeat})")  # fmt: skip

    if not args.no_engine:
        rates = {}
        for workers in (1, 2):
            seconds, found, loads = engine(listing, workers, work / f"dask-{workers}.jsonl")
            rates[workers] = n / seconds
            each = sorted(loads.values())
            print(f"Dask {workers} worker(s)         {rates[workers]:7.1f} img/s  "
                  f"identical: {found == expected}  loads per worker: {each}")  # fmt: skip
        print(f"Dask 2 / 1 workers      {rates[2] / rates[1]:7.2f}x")
    print(f"load average after {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
