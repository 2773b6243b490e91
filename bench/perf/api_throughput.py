"""The Python API's rate against the CLI's, and the Dask engine's on 1 and 2 workers.

On the same photo-like files (tests/generators/make_photos.py, made once into --photos), in one
session:

- `digitcli predict --from-list` (a process, its pool of one worker per core) against
  `digitcli.load("bundled").predict(paths)` in this process (the same pool): images a second,
  the ratio, and whether the answers are identical file for file;
- a cold `python -c "import digitcli; digitcli.load('bundled').predict(ONE)"` against a cold
  `digitcli predict ONE`, and `import digitcli` with the model loaded alone (medians);
- `digitcli.distributed_predict` on a LocalCluster of 1, then 2 worker processes (one thread
  each; the cluster started before the clock), answers identical to the CLI's, each worker
  loading the model once.

The machine's load average is printed before and after: on a shared machine, read the ratios.

    python bench/perf/api_throughput.py                       # 1,000 files in build/bench-photos
    python bench/perf/api_throughput.py --count 300 --repeat 1
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
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
ONE = REPO / "docs" / "examples" / "phone-photo.jpg"


def photos(folder: Path, count: int) -> list[str]:
    """`count` photo-like files in `folder`, made once (tests/generators/make_photos.py's mix)."""
    sys.path.insert(0, str(REPO / "tests" / "generators"))
    import make_photos

    files = sorted(folder.glob("*_*.*")) if folder.is_dir() else []
    if len(files) < count:
        x, y = make_photos.load_mnist("t10k")
        made = make_photos.make_photo_set(x[:count], y[:count], folder, count, seed=0)
        files = [path for path, _ in made]
    return [str(path) for path in files[:count]]


def mnist_pngs(folder: Path, count: int) -> list[str]:
    """MNIST's first `count` test digits as 28x28 PNG files, every other one black on white."""
    sys.path.insert(0, str(REPO / "tests" / "generators"))
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


@dataclass(frozen=True)
class EngineRun:
    seconds: float  # wall
    cpu: float  # the workers' CPU seconds, all together
    answers: list[dict]
    loads: dict[str, int]


def engine(listing: Path, workers: int, out: Path) -> EngineRun:
    """One run on a LocalCluster of `workers` processes started before the clock; the workers'
    CPU time says how much of the machine they got (a shared machine may give two workers no
    more than one)."""
    from distributed import Client, LocalCluster

    import digitcli

    with (
        LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        client.wait_for_workers(workers)
        before = client.run(time.process_time)
        summary = digitcli.distributed_predict(listing, out, model="bundled", client=client)
        after = client.run(time.process_time)
    cpu = sum(after[worker] - before[worker] for worker in after)
    answers = [json.loads(line) for line in out.read_text().splitlines()]
    return EngineRun(summary.seconds, cpu, answers, summary.loads)


def engine_rates(listing: Path, work: Path, n: int, expected: list[dict], repeat: int) -> None:
    """Dask on 1, then 2 workers, `repeat` times interleaved, the fastest of each kept."""
    best: dict[int, EngineRun] = {}
    for _ in range(repeat):
        for workers in (1, 2):
            run = engine(listing, workers, work / f"dask-{workers}.jsonl")
            if workers not in best or run.seconds < best[workers].seconds:
                best[workers] = run
            print(f"Dask {workers} worker(s)  {n / run.seconds:7.1f} img/s  "
                  f"CPU {run.cpu:6.1f}s ({run.cpu / run.seconds:.2f} cores)  "
                  f"identical: {run.answers == expected}  "
                  f"loads per worker: {sorted(run.loads.values())}")  # fmt: skip
    one, two = best[1], best[2]
    print(f"Dask 2 / 1 workers  {one.seconds / two.seconds:7.2f}x (wall), "
          f"cores got {one.cpu / one.seconds:.2f} -> {two.cpu / two.seconds:.2f}, "
          f"CPU per image {one.cpu / n * 1000:.1f} ms -> {two.cpu / n * 1000:.1f} ms")  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000, help="photo files (default 1000)")
    parser.add_argument("--photos", type=Path, default=REPO / "build" / "bench-photos")
    parser.add_argument("--repeat", type=int, default=2, help="runs of each, best kept")
    parser.add_argument("--no-engine", action="store_true", help="leave Dask out")
    parser.add_argument("--only-engine", action="store_true", help="only Dask, 1 and 2 workers")
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
    if args.only_engine:
        _, expected = cli_answers(listing)
        engine_rates(listing, work, n, expected, args.repeat)
        print(f"load average after {os.getloadavg()}")
        return 0

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
        engine_rates(listing, work, n, expected, args.repeat)
    print(f"load average after {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
