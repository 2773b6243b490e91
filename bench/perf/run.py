"""digitcli against the ways people do the job without it, side by side in one run.

Every comparison runs its baseline and digitcli in the same session, on the same machine, and
reports medians and ratios; no figure here is compared with one taken elsewhere.

    python bench/perf/run.py                  # everything but the CNN (about 9 minutes on 2 cores)
    python bench/perf/run.py --cnn            # also train the CNN, seeds 0 and 1 (~15 more minutes)
    python bench/perf/run.py --only startup predict
    python bench/perf/run.py --only predict-scaling --model DIR   # 1,000 to 50,000 files (~15 min)
    python bench/perf/run.py --readme    # and write the rows into docs/performance.md and README.md
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
BUNDLED = REPO / "digitcli" / "models" / "pretrained"
# The floor under a cold predict in a pipe: the interpreter and the libraries it cannot do
# without (Rich draws nothing there and is not imported).
IMPORTS_ALONE = "import numpy, PIL.Image, typer, ai_edge_litert.interpreter"
DIGITCLI = (
    [str(BIN / "digitcli")] if (BIN / "digitcli").exists() else [sys.executable, "-m", "digitcli"]
)
sys.path[:0] = [str(REPO / "bench" / kind) for kind in (".", "build", "checks", "perf")]
sys.path.insert(0, str(REPO / "tests" / "generators"))

import readme_table  # noqa: E402

DEFAULT_BENCHES = ("startup", "train", "train-flops", "evaluate", "predict", "predict-startup")
NEED_A_MODEL = {"evaluate", "predict", "predict-startup", "predict-scaling"}


@dataclass
class Row:
    what: str
    baseline: str
    ours: str
    result: str  # the ratio or figure the target is about
    target: str
    met: bool


def sh(args: list[str], **kwargs) -> subprocess.CompletedProcess:
    env = dict(os.environ, **kwargs.pop("env", {}))
    return subprocess.run(
        args, capture_output=True, text=True, env=env, cwd=kwargs.pop("cwd", REPO)
    )


def wall(args: list[str], runs: int, **kwargs) -> float:
    """Median wall-clock seconds of `runs` cold processes."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        done = sh(args, **kwargs)
        times.append(time.perf_counter() - started)
        if done.returncode not in (0, 1, 3):  # 1: some inputs failed, 3: some unanswered
            raise SystemExit(f"{' '.join(args)} failed:\n{done.stderr[-2000:]}")
    return statistics.median(times)


def bench_startup(work: Path) -> list[Row]:
    ours = wall([*DIGITCLI, "--help"], runs=7)
    tf_import = wall([sys.executable, "-c", "import tensorflow"], runs=3)
    return [
        Row("start-up: digitcli --help", f"import tensorflow {tf_import:.2f}s", f"{ours:.3f}s",
            f"{ours:.3f}s", "<= 0.3s", ours <= 0.3),
    ]  # fmt: skip


def bench_training(work: Path, epochs: int) -> tuple[list[Row], Path]:
    base = sh(
        [
            sys.executable,
            str(REPO / "bench" / "perf" / "baseline_keras.py"),
            "--epochs",
            str(epochs),
        ]
    )
    if base.returncode:
        raise SystemExit(base.stderr[-2000:])
    baseline = json.loads(base.stdout.strip().splitlines()[-1])
    model_dir = work / "mlp"
    done = sh([*DIGITCLI, "train", "--epochs", str(epochs), "--json", "--output", str(model_dir)])
    if done.returncode:
        raise SystemExit(done.stderr[-2000:])
    ours = json.loads(done.stdout)
    ratio = ours["train_seconds"] / baseline["fit_seconds"]
    gain = ours["test_accuracy"] - baseline["test_accuracy"]
    rows = [
        Row(f"train mlp, {epochs} epochs: time", f"{baseline['fit_seconds']:.1f}s",
            f"{ours['train_seconds']:.1f}s", f"{ratio:.2f}x", "<= 0.8x", ratio <= 0.8),
        Row("  the same, issue 16's next step", f"{baseline['fit_seconds']:.1f}s",
            f"{ours['train_seconds']:.1f}s", f"{ratio:.2f}x", "<= 0.4x", ratio <= 0.4),
        Row(f"train mlp, {epochs} epochs: test accuracy", f"{baseline['test_accuracy']:.4f}",
            f"{ours['test_accuracy']:.4f}", f"{gain:+.4f}",
            ">= baseline, >= 0.982 at 18 epochs",
            ours["test_accuracy"] >= baseline["test_accuracy"] - 0.001
            and (epochs < 18 or ours["test_accuracy"] >= 0.982)),
    ]  # fmt: skip
    return rows, model_dir


def bench_training_flops() -> list[Row]:
    """What share of this machine's peak FLOP/s the default mlp's training reaches."""
    done = sh([sys.executable, str(REPO / "bench" / "perf" / "training_flops.py"), "--json"])
    if done.returncode:
        raise SystemExit(done.stderr[-2000:])
    figures = json.loads(done.stdout)
    peak = figures["peak_gflops"]
    measures = {
        "train mlp: GEMM FLOP/s, digits as written": figures["training_gflops"],
        "  the same with half redrawn beside (as trained)": figures["training_with_redraw_gflops"],
    }
    return [
        Row(what, f"peak GEMM {peak:.0f} GFLOP/s", f"{gflops:.1f} GFLOP/s",
            f"{gflops / peak:.0%} of peak", "-", True)
        for what, gflops in measures.items()
    ]  # fmt: skip


def bench_cnn(work: Path) -> list[Row]:
    """Issue 16: >= 99.60% within 15 minutes, and no seed below 99.55% (seeds 0 and 1)."""
    rows = []
    for seed, least in ((0, 0.996), (1, 0.9955)):
        output = work / f"cnn-seed{seed}"
        done = sh([*DIGITCLI, "train", "--arch", "cnn", "--seed", str(seed), "--json",
                   "--output", str(output)])  # fmt: skip
        if done.returncode:
            raise SystemExit(done.stderr[-2000:])
        ours = json.loads(done.stdout)
        accuracy = ours["test_accuracy"]
        per_epoch = statistics.median(ours["history"]["seconds"])
        minutes = ours["train_seconds"] / 60
        rows += [
            Row(f"train cnn (defaults, seed {seed}): test accuracy", "-", f"{accuracy:.4f}",
                f"{accuracy:.4f}", f">= {least}", accuracy >= least),
            Row(f"train cnn (defaults, seed {seed}): time", "-",
                f"{minutes:.1f} min ({per_epoch:.0f}s/epoch)", f"{minutes:.1f} min",
                "<= 15 min", minutes <= 15),
        ]  # fmt: skip
    return rows


def bench_evaluate(work: Path, model_dir: Path) -> list[Row]:
    done = sh([*DIGITCLI, "evaluate", str(model_dir), "--json"])
    if done.returncode:
        raise SystemExit(done.stderr[-2000:])
    seconds = json.loads(done.stdout)["seconds"]
    total = wall([*DIGITCLI, "evaluate", str(model_dir), "--json"], runs=3)
    return [
        Row("evaluate 10,000 test images (after start-up)", f"whole process {total:.2f}s",
            f"{seconds:.3f}s", f"{seconds:.3f}s", "< 2s", seconds < 2),
    ]  # fmt: skip


def bench_predict(work: Path, model_dir: Path, count: int) -> list[Row]:
    from make_photos import load_mnist, make_photo_set

    x, y = load_mnist("t10k")
    photos = make_photo_set(x[:count], y[:count], work / "photos", count, seed=0)
    files = [path for path, _ in photos]
    decode_rate, rate = _side_by_side(files, work / "photos.txt", model_dir)
    cold = count / rate
    loop = _keras_loop_seconds(model_dir, files)
    speedup = loop / cold
    # Phone photos are JPEGs, which decode at a reduced scale; large PNGs must be decoded whole.
    jpegs = [path for path in files if path.suffix == ".jpg"]
    jpeg_cold = _cold_predict_seconds(jpegs, work / "jpegs.txt", model_dir)
    jpeg_rate = len(jpegs) / jpeg_cold
    jpeg_loop = _keras_loop_seconds(model_dir, jpegs)
    prepare_rate = _prepare_rate(files)
    share = rate / decode_rate
    small = _small_copies(files, work / "small")
    small_row, small_decode = _small_row(small, SMALL_SIDE, work, model_dir)
    small_prepare = _prepare_rate(small)
    held_out_like = _small_copies(files, work / "held-out-like", HELD_OUT_LIKE_SIDE)
    like_issue_16 = "decoding alone as fast as issue 16's set"
    held_out_like_row, _ = _small_row(
        held_out_like, HELD_OUT_LIKE_SIDE, work, model_dir, like_issue_16
    )
    return [
        Row(f"predict --from-list, {count} files, vs decoding them alone ({os.cpu_count()} procs)",
            f"decode only {decode_rate:.0f} img/s", f"{rate:.0f} img/s", f"{share:.2f}x",
            ">= 0.6x", share >= 0.6),
        Row("  of which: prepare_file in one process (decode + preparation)",
            f"decode only, 1 proc {_decode_only_rate(files, 1):.0f} img/s",
            f"{prepare_rate:.0f} img/s", f"{prepare_rate:.0f} img/s", "-", True),
        small_row,
        Row("  of which: reading them into grey working images alone (open_image)",
            *_ratio_cells(small_decode, _open_rate(small)), "-", True),
        Row("  of which: prepare_file on the small files in one process",
            f"decode only, 1 proc {_decode_only_rate(small, 1):.0f} img/s",
            f"{small_prepare:.0f} img/s", f"{small_prepare:.0f} img/s", "-", True),
        held_out_like_row,
        Row(f"predict --from-list, the {len(jpegs)} JPEG photos of those",
            f"Keras loop {len(jpegs) / jpeg_loop:.0f} img/s", f"{jpeg_rate:.0f} img/s",
            f"{jpeg_rate:.0f} img/s", ">= 500 img/s", jpeg_rate >= 500),
        Row("  the same JPEGs vs per-file Keras loop", f"{jpeg_loop:.1f}s", f"{jpeg_cold:.2f}s",
            f"{jpeg_loop / jpeg_cold:.0f}x", ">= 20x", jpeg_loop / jpeg_cold >= 20),
        Row(f"predict --from-list, {count} photo files", f"Keras loop {count / loop:.0f} img/s",
            f"{rate:.0f} img/s", f"{rate:.0f} img/s", ">= 500 img/s", rate >= 500),
        Row("predict --from-list vs per-file Keras loop", f"{loop:.1f}s", f"{cold:.2f}s",
            f"{speedup:.0f}x", ">= 20x", speedup >= 20),
    ]  # fmt: skip


def _small_row(
    small: list[Path], side: int, work: Path, model_dir: Path, why: str = ""
) -> tuple[Row, float]:
    """Cold batch predict on the files shrunk to `side` px against decoding them alone, and
    the decoding's images/s."""
    decode, rate = _side_by_side(small, work / f"small-{side}.txt", model_dir)
    note = f"; {why}" if why else ""
    what = f"  the same at {side} px ({_megabytes(small):.0f} MB{note}), vs decoding them alone"
    return Row(what, *_ratio_cells(decode, rate), ">= 0.6x", rate / decode >= 0.6), decode


def _side_by_side(
    files: list[Path], listing: Path, model_dir: Path, runs: int = 5
) -> tuple[float, float]:
    """Images/s of decoding `files` alone (all cores) and of a cold `predict --from-list` of
    them, each the median of `runs`, measured alternately: the machine's speed drifts from
    minute to minute (one decoding and one predict a minute apart gave 0.49-0.59x on the same
    450-px files)."""
    decode, predict = [], []
    for _ in range(runs):
        decode.append(_decode_only_rate(files))
        predict.append(len(files) / _cold_predict_seconds(files, listing, model_dir, runs=1))
    return statistics.median(decode), statistics.median(predict)


def _ratio_cells(decode_rate: float, rate: float) -> tuple[str, str, str]:
    return f"decode only {decode_rate:.0f} img/s", f"{rate:.0f} img/s", f"{rate / decode_rate:.2f}x"


def _cold_predict_seconds(
    files: list[Path], listing: Path, model_dir: Path, runs: int = 3
) -> float:
    """Median seconds of a cold `predict --from-list` over `files` (listed in `listing`)."""
    listing.write_text("".join(f"{path}\n" for path in files))
    return wall([*DIGITCLI, "predict", "--from-list", str(listing), "--model", str(model_dir),
                 "--format", "plain"], runs=runs)  # fmt: skip


def bench_predict_scaling(work: Path, model_dir: Path, count: int) -> list[Row]:
    """Batch predict at 1,000, 10,000 and 50,000 files: throughput and peak memory."""
    from predict_scaling import COUNTS, make_photos, measure

    results = measure(make_photos(work, count), COUNTS, model_dir, work)
    first, rows = results[0], []
    for result in results[1:]:
        ratio = result.rate / first.rate
        rows.append(Row(f"predict --from-list, {result.files:,} files vs {first.files:,}",
                        f"{first.rate:.0f} img/s", f"{result.rate:.0f} img/s", f"{ratio:.2f}x",
                        ">= 0.9x", ratio >= 0.9))  # fmt: skip
    last = results[-1]
    rows.append(Row(f"  peak memory (process and workers, PSS) at {last.files:,} files",
                    f"{first.peak_pss_mb:.0f} MB at {first.files:,}",
                    f"{last.peak_pss_mb:.0f} MB", f"{last.peak_pss_mb:.0f} MB", "<= 250 MB",
                    last.peak_pss_mb <= 250))  # fmt: skip
    rows.append(Row("  the same, RSS summed (shared pages once per process)",
                    f"{first.peak_mb:.0f} MB at {first.files:,}", f"{last.peak_mb:.0f} MB",
                    f"{last.peak_mb:.0f} MB", "-", True))  # fmt: skip
    return rows


def _decode(path: Path) -> None:
    from PIL import Image

    with Image.open(path) as image:
        image.load()


def _decode_only_rate(files: list[Path], processes: int | None = None) -> float:
    """Images/s of Pillow decoding the files whole and nothing else: the floor for predict."""
    return _rate(_decode, files, processes)


def _rate(work: Callable[[Path], object], files: list[Path], processes: int | None = None) -> float:
    """Images/s of `work` (a module-level function) on each file, in `processes` processes
    (default: one per core)."""
    from multiprocessing import Pool

    processes = processes or os.cpu_count() or 1
    started = time.perf_counter()
    if processes == 1:
        for path in files:
            work(path)
    else:
        with Pool(processes) as pool:
            pool.map(work, files, chunksize=16)
    return len(files) / (time.perf_counter() - started)


SMALL_SIDE = 300  # px: files of ~30 kB, as a phone app or a form's crop sends them
# Issue 16's held-out set (1,000 files, 30 MB) decodes at 808 images/s in one process; the
# benchmark's files shrunk to 450 px decode at ~820 here (300 px: ~1,780).
HELD_OUT_LIKE_SIDE = 450


def _small_copies(files: list[Path], folder: Path, side: int = SMALL_SIDE) -> list[Path]:
    """The files shrunk to `side` px on their longest side, same name and format: decoding
    is then cheap, so what predict adds to it shows."""
    from PIL import Image

    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for path in files:
        with Image.open(path) as image:
            image.load()
            kept = {"exif": image.info["exif"]} if "exif" in image.info else {}  # orientation
            scale = side / max(image.size)
            if scale < 1:
                size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
                mode = image.mode if image.mode not in ("P", "1") else "L"
                image = image.convert(mode).resize(size, Image.Resampling.LANCZOS)
            if path.suffix.lower() in (".jpg", ".jpeg") and image.mode not in ("L", "RGB"):
                image = image.convert("RGB")
            image.save(folder / path.name, **kept)
        out.append(folder / path.name)
    return out


def _megabytes(files: list[Path]) -> float:
    return sum(path.stat().st_size for path in files) / 1e6


def _open_image(path: Path) -> None:
    from digitcli.imaging.images import open_image

    open_image(path)


def _open_rate(files: list[Path]) -> float:
    """Images/s of open_image alone on all cores: decoding, then turning the picture grey and
    shrinking it to the working size; the floor under preparing."""
    return _rate(_open_image, files)


def _prepare_file(path: Path) -> None:
    from digitcli.imaging.images import prepare_file

    prepare_file(path)


def _prepare_rate(files: list[Path]) -> float:
    """Images/s of prepare_file (decoding and preparing) in this process alone."""
    return _rate(_prepare_file, files, processes=1)


def _keras_loop_seconds(model_dir: Path, files: list[Path]) -> float:
    """A user's loop: open each file, resize to 28x28, `model.predict` one image at a time."""
    script = (
        "import sys, time, numpy as np, keras\n"
        "import digitcli.models.model  # registers the deskew layer (docs/deploying.md)\n"
        "from PIL import Image\n"
        "started = time.perf_counter()\n"
        "model = keras.saving.load_model(sys.argv[1])\n"
        "for path in sys.argv[2:]:\n"
        "    image = Image.open(path).convert('L').resize((28, 28))\n"
        "    model.predict(np.asarray(image, dtype='float32')[None], verbose=0)\n"
        "print(time.perf_counter() - started)\n"
    )
    done = sh([sys.executable, "-c", script, str(model_dir / "model.keras"), *map(str, files)])
    if done.returncode:
        raise SystemExit(done.stderr[-2000:])
    return float(done.stdout.strip().splitlines()[-1])


def bench_predict_startup(work: Path, model_dir: Path) -> list[Row]:
    from PIL import Image

    from make_photos import load_mnist

    x, _ = load_mnist("t10k")
    image = work / "digit.png"
    Image.fromarray(x[0]).save(image)
    litert = wall([*DIGITCLI, "predict", "--model", str(model_dir / "model.tflite"), str(image)], 7)
    keras = wall([*DIGITCLI, "predict", "--model", str(model_dir / "model.keras"), str(image)], 3)
    bundled = wall([*DIGITCLI, "predict", "--model", str(BUNDLED), str(image)], 7)
    floor = wall([sys.executable, "-c", IMPORTS_ALONE], 7)
    return [
        Row("predict one image, cold: .tflite (LiteRT)", f".keras {keras:.2f}s", f"{litert:.3f}s",
            f"{litert:.3f}s", "<= 0.35s", litert <= 0.35),
        Row("predict one image, cold: .tflite / .keras", f"{keras:.2f}s", f"{litert:.3f}s",
            f"{litert / keras:.3f}x", "<= 0.1x", litert / keras <= 0.1),
        Row("predict one image, cold: bundled model", f"imports alone {floor:.3f}s",
            f"{bundled:.3f}s", f"{bundled:.3f}s", "<= 0.18s", bundled <= 0.18),
        Row("predict one image, cold: bundled / imports alone", f"{floor:.3f}s",
            f"{bundled:.3f}s", f"{bundled / floor:.2f}x", "<= 1.5x", bundled / floor <= 1.5),
    ]  # fmt: skip


def render(rows: list[Row]) -> str:
    return "\n".join([readme_table.HEADER, "|---|---|---|---|---|---|", *map(_line, rows)])


def _line(r: Row) -> str:
    return f"| {r.what} | {r.baseline} | {r.ours} | {r.result} | {r.target} | {_met(r)} |"


def _met(row: Row) -> str:
    return "yes" if row.met else "NO"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--only",
        nargs="*",
        default=None,
        choices=[*DEFAULT_BENCHES, "cnn", "predict-scaling"],
    )
    parser.add_argument(
        "--cnn", action="store_true", help="also train the CNN, seeds 0 and 1 (~15 min)"
    )
    parser.add_argument("--epochs", type=int, default=18, help="epochs for the MLP comparison")
    parser.add_argument("--photos", type=int, default=1000, help="files for the predict benchmark")
    parser.add_argument("--model", type=Path, help="reuse this mlp model directory")
    parser.add_argument(
        "--readme",
        action="store_true",
        help="also write the rows into docs/performance.md and its summary into README.md",
    )
    args = parser.parse_args()  # fmt: skip
    chosen = set(args.only or DEFAULT_BENCHES)
    if args.cnn:
        chosen.add("cnn")

    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="digitcli-bench-") as tmp:
        work = Path(tmp)
        model_dir = args.model
        # Byte-code as `pip install` leaves it: with PYTHONDONTWRITEBYTECODE set (as on this
        # project's machines) an editable checkout would otherwise compile digitcli's modules in
        # every cold start measured (~35 ms of a one-image predict).
        compileall.compile_dir(REPO / "digitcli", quiet=1)
        if "startup" in chosen:
            rows += bench_startup(work)
        if "train" in chosen:
            train_rows, model_dir = bench_training(work, args.epochs)
            rows += train_rows
        if "train-flops" in chosen:
            rows += bench_training_flops()
        if model_dir is None and chosen & NEED_A_MODEL:
            raise SystemExit("--model is needed without the train benchmark")
        if "evaluate" in chosen:
            rows += bench_evaluate(work, model_dir)
        if "predict" in chosen:
            rows += bench_predict(work, model_dir, args.photos)
        if "predict-startup" in chosen:
            rows += bench_predict_startup(work, model_dir)
        if "predict-scaling" in chosen:
            rows += bench_predict_scaling(work, model_dir, args.photos)
        if "cnn" in chosen:
            rows += bench_cnn(work)
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(render(rows))
    if args.readme:
        lines = [_line(row) for row in rows]
        readme_table.update(REPO / "docs" / "performance.md", REPO / "README.md", lines)
    return 0 if all(row.met for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
