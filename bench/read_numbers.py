"""How well `digitcli read` reads whole handwritten numbers, next to Tesseract, in one run.

    python bench/read_numbers.py [--per-kind 100] [--out DIR] [--seed 0] [--model MODEL]
                                 [--no-tesseract] [--parts] [--narrow]

Writes a set of numbers made from MNIST *test* digits (`make_numbers.py`: spaced, tight,
grouped, long, boxed; PNG and JPEG), reads them with `digitcli.reading.read.read` (the path the CLI
takes) and, when the `tesseract` command is installed (`apt-get install tesseract-ocr`), with
Tesseract restricted to digits in each page-segmentation mode that suits one line (the best
mode is reported). Prints, per kind: numbers read exactly, digit accuracy (1 - edit distance /
true length) and numbers per second. `--parts` reads the same set again without each part of the
reader in turn (`digitcli.reading.read.Parts`), and with the line reader alone, to show what
each adds.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from make_numbers import KINDS, Number, load_labels, make_number_set  # noqa: E402

from make_photos import load_mnist  # noqa: E402

TESSERACT_MODES = (7, 8, 13)  # one text line, one word, raw line


def edit_distance(a: str, b: str) -> int:
    row = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        previous, row[0] = row[0], i
        for j, y in enumerate(b, 1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (x != y))
    return row[-1]


def score(numbers: list[Number], answers: dict[str, str | None]) -> dict[str, tuple[float, ...]]:
    """Per kind (and "all"): (count, exact share, digit accuracy)."""
    tally: dict[str, list[float]] = defaultdict(lambda: [0, 0, 0, 0])
    for number in numbers:
        got = answers.get(number.file) or ""
        for kind in (number.kind, "all"):
            row = tally[kind]
            row[0] += 1
            row[1] += got == number.number
            row[2] += len(number.number)
            row[3] += min(edit_distance(got, number.number), len(number.number))
    return {k: (r[0], r[1] / r[0], 1 - r[3] / r[2]) for k, r in tally.items()}


PARTS = {  # reader name: the digitcli.reading.read.Parts switches
    "without the verifier": {"verifier": False},
    "without the line reader": {"lines": False},
    "the line reader alone": {"line_only": True},
}


def read_with_digitcli(folder: Path, numbers: list[Number], model: str | None, **switches):
    from digitcli.reading.read import Parts, read

    parts = Parts(**switches)
    files = [str(folder / n.file) for n in numbers]
    list(read(files[:4], model=model, parts=parts))  # load the model and runtime before timing
    start = time.perf_counter()
    answers = {Path(r.file).name: r.number for r in read(files, model=model, parts=parts)}
    return answers, len(files) / (time.perf_counter() - start)


def tesseract(path: Path, mode: int) -> str:
    done = subprocess.run(
        ["tesseract", str(path), "stdout", "--psm", str(mode),
         "-c", "tessedit_char_whitelist=0123456789"],
        capture_output=True, text=True, env={**os.environ, "OMP_THREAD_LIMIT": "1"},
    )  # fmt: skip
    return "".join(ch for ch in done.stdout if ch.isdigit())


def read_with_tesseract(folder: Path, numbers: list[Number], mode: int):
    start = time.perf_counter()
    with ThreadPoolExecutor(os.cpu_count() or 1) as pool:
        texts = list(pool.map(lambda n: tesseract(folder / n.file, mode), numbers))
    seconds = time.perf_counter() - start
    return {n.file: t for n, t in zip(numbers, texts, strict=True)}, len(numbers) / seconds


def table(rows: dict[str, tuple[dict, float]]) -> str:
    lines = [
        "| reader | kind | numbers | exact | digits | numbers/s |",
        "|---|---|---|---|---|---|",
    ]
    for reader, (scores, rate) in rows.items():
        for kind in (*KINDS, "all"):
            count, exact, digits = scores[kind]
            shown_rate = f"{rate:.0f}" if kind == "all" else ""
            lines.append(
                f"| {reader} | {kind} | {count} | {exact:.1%} | {digits:.1%} | {shown_rate} |"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--per-kind", type=int, default=100)
    parser.add_argument(
        "--out", type=Path, default=Path(tempfile.gettempdir()) / "digitcli-numbers"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--model", default=None, help="default: the bundled model")
    parser.add_argument("--no-tesseract", action="store_true")
    parser.add_argument("--parts", action="store_true", help="also read without each part")
    parser.add_argument("--narrow", action="store_true", help="make_numbers.py --narrow's set")
    args = parser.parse_args(argv)
    x, y = load_mnist("t10k")  # test digits only: never the training split
    if not (args.out / "labels.jsonl").exists():
        make_number_set(x, y, args.out, args.per_kind, args.seed, not args.narrow)
    numbers = load_labels(args.out)
    repo = Path(__file__).resolve().parent.parent
    model = args.model or str(repo / "digitcli" / "models" / "pretrained")
    answers, rate = read_with_digitcli(args.out, numbers, model)
    rows = {"digitcli read": (score(numbers, answers), rate)}
    for name, switches in PARTS.items() if args.parts else ():
        answers, rate = read_with_digitcli(args.out, numbers, model, **switches)
        rows[name] = (score(numbers, answers), rate)
    if not args.no_tesseract and shutil.which("tesseract"):
        sample = numbers[:: max(1, len(numbers) // 60)]
        best = max(
            TESSERACT_MODES,
            key=lambda m: score(sample, read_with_tesseract(args.out, sample, m)[0])["all"][1],
        )
        answers, rate = read_with_tesseract(args.out, numbers, best)
        rows[f"tesseract --psm {best}"] = (score(numbers, answers), rate)
    print(table(rows))
    five = [str(args.out / n.file) for n in numbers if len(n.number) == 5]
    print(f"\n5-digit numbers: {five_digit_rate(five * 4, model):.0f} numbers/s")
    return 0


def five_digit_rate(files: list[str], model: str) -> float:
    from digitcli.reading.read import read

    start = time.perf_counter()
    for _ in read(files, model=model):
        pass
    return len(files) / (time.perf_counter() - start)


if __name__ == "__main__":
    raise SystemExit(main())
