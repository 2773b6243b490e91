"""How well `digitcli read` reads whole handwritten numbers, next to Tesseract, in one run.

    python bench/checks/read_numbers.py [--per-kind 100] [--out DIR] [--seed 0] [--model MODEL]
                                 [--no-tesseract] [--parts] [--narrow] [--mistakes FILE]
                                 [--digits-from usps --usps zip.train.RData]
                                 [--style filled]

Writes a set of numbers made from MNIST *test* digits (`make_numbers.py`: spaced, tight,
grouped, long, boxed; PNG and JPEG), reads them with `digitcli.reading.read.read` (the path the CLI
takes) and, when the `tesseract` command is installed (`apt-get install tesseract-ocr`), with
Tesseract restricted to digits in each page-segmentation mode that suits one line (the best
mode is reported). Prints, per kind: numbers read exactly, digit accuracy (1 - edit distance /
true length) and numbers per second. `--parts` reads the same set again without each part of the
reader in turn (`digitcli.reading.read.Parts`), and with the line reader alone, to show what
each adds. `--digits-from usps` writes them with other writers' digits instead: USPS
zip.train's held 30%, never trained on (`make_numbers.number_digits`); `--style filled`
stretches each digit to fill a 16x16 box and binarises it first (`make_numbers.filled_digits`).
A folder that already holds `labels.jsonl` is read again, not rewritten; the default folder's
name says every option that makes the set and the generators' version
(`digitcli-numbers-s9-k100[-narrow][-usps|-uci][-filled][-cell][-cutcell]-gXXXXXXXX`).
`--marks S` writes a share S of the numbers with the marks people write in and after numbers
(`18.056`, `200.-`, `$25`: `make_numbers.py --marks`); the `text exact` column is the share
whose `text` is what was written, marks included (without marks, its `number`).
`--kinds amount --per-kind 300` reads cheque amounts instead (`make_numbers.py --kinds`).
`--mistakes FILE` writes the full reader's misread numbers (JSON lines) and prints which digits
it confused, lost or added.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

sys.path[:0] = [
    str(Path(__file__).resolve().parents[1] / kind) for kind in (".", "build", "checks", "perf")
]
REPO = Path(__file__).resolve().parents[2]
GENERATORS = REPO / "tests" / "generators"
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(GENERATORS))

from make_numbers import (  # noqa: E402
    ALL_KINDS,
    BLUR,
    KINDS,
    TURN,
    Number,
    add_digit_options,
    checked_digit_options,
    load_labels,
    make_number_set_of,
)

TESSERACT_MODES = (7, 8, 13)  # one text line, one word, raw line


def edit_distance(a: str, b: str) -> int:
    row = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        previous, row[0] = row[0], i
        for j, y in enumerate(b, 1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (x != y))
    return row[-1]


def aligned(truth: str, got: str) -> list[tuple[str, str]]:
    """The two numbers' digits paired along a shortest edit path; "" where one has none."""
    cost = np.zeros((len(truth) + 1, len(got) + 1), dtype=int)
    cost[:, 0], cost[0, :] = np.arange(len(truth) + 1), np.arange(len(got) + 1)
    for i, a in enumerate(truth, 1):
        for j, b in enumerate(got, 1):
            cost[i, j] = min(cost[i - 1, j] + 1, cost[i, j - 1] + 1, cost[i - 1, j - 1] + (a != b))
    pairs, i, j = [], len(truth), len(got)
    while i or j:
        if i and j and cost[i, j] == cost[i - 1, j - 1] + (truth[i - 1] != got[j - 1]):
            pairs.append((truth[i - 1], got[j - 1]))
            i, j = i - 1, j - 1
        elif i and cost[i, j] == cost[i - 1, j] + 1:
            pairs.append((truth[i - 1], ""))
            i -= 1
        else:
            pairs.append(("", got[j - 1]))
            j -= 1
    return pairs[::-1]


def confusions(numbers: list[Number], answers: dict[str, str | None]) -> Counter:
    """(true digit, digit read) of every digit misread, lost ("" read) or added ("" true)."""
    found: Counter = Counter()
    for number in numbers:
        pairs = aligned(number.number, answers.get(number.file) or "")
        found.update(pair for pair in pairs if pair[0] != pair[1])
    return found


def mistakes_report(numbers: list[Number], answers: dict[str, str | None], path: Path) -> str:
    """Write the misread numbers to `path` (JSON lines, atomically); say which digits went wrong."""
    from digitcli.core.atomic import atomic_output

    wrong = [n for n in numbers if (answers.get(n.file) or "") != n.number]
    with atomic_output(path, force=True) as staging:
        staging.write_text(
            "".join(
                json.dumps({"file": n.file, "kind": n.kind, "number": n.number,
                            "read": answers.get(n.file)}) + "\n"
                for n in wrong
            )
        )  # fmt: skip
    found = confusions(numbers, answers).most_common(15)
    listed = ", ".join(f"{_named(*pair)} x{count}" for pair, count in found)
    return f"misread {len(wrong)} of {len(numbers)}; digits: {listed}"


def _named(true: str, read: str) -> str:
    if true and read:
        return f"{true} read as {read}"
    return f"{true} lost" if true else f"{read} added"


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


def text_score(numbers: list[Number], texts: dict[str, str | None]) -> dict[str, float]:
    """Per kind (and "all"): the share whose `text` is what was written, marks included."""
    tally: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for number in numbers:
        right = (texts.get(number.file) or "") == (number.text or number.number)
        for kind in (number.kind, "all"):
            tally[kind][0] += 1
            tally[kind][1] += right
    return {k: right / count for k, (count, right) in tally.items()}


PARTS = {  # reader name: the digitcli.reading.read.Parts switches
    "without the line reader": {"lines": False},
    "without the second opinion": {"second_opinion": False},
    "the line reader alone": {"line_only": True, "second_opinion": False},
}


def read_with_digitcli(folder: Path, numbers: list[Number], model: str | None, **switches):
    from digitcli.reading.read import Parts, read

    parts = Parts(**switches)
    files = [str(folder / n.file) for n in numbers]
    list(read(files[:4], model=model, parts=parts))  # load the model and runtime before timing
    start = time.perf_counter()
    readings = list(read(files, model=model, parts=parts))
    rate = len(files) / (time.perf_counter() - start)
    answers = {Path(r.file).name: r.number for r in readings}
    return answers, rate, {Path(r.file).name: r.text for r in readings}


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
        "| reader | kind | numbers | exact | digits | text exact | numbers/s |",
        "|---|---|---|---|---|---|---|",
    ]
    for reader, (scores, rate, *texts) in rows.items():
        for kind in (*(kind for kind in ALL_KINDS if kind in scores), "all"):
            count, exact, digits = scores[kind]
            shown_rate = f"{rate:.0f}" if kind == "all" else ""
            shown_text = f"{texts[0][kind]:.1%}" if texts else "-"
            lines.append(
                f"| {reader} | {kind} | {count} | {exact:.1%} | {digits:.1%} | {shown_text} "
                f"| {shown_rate} |"
            )
    return "\n".join(lines)


def default_folder(args: argparse.Namespace) -> str:
    """The set's own folder name: two runs that write different numbers never share one, nor
    do two generators' (`generators_stamp`)."""
    options = [f"s{args.seed}", f"k{args.per_kind}"]
    options += ["narrow"] * args.narrow + [args.digits_from] * (args.digits_from != "mnist")
    options += [args.style] * (args.style != "plain") + [f"sheet{args.sheet:g}"] * (args.sheet != 1)
    options += [f"desk-{args.desk}"] * (args.desk is not None)
    options += [f"turn{args.turn:g}"] * (args.turn != TURN)
    options += [f"paper-{args.paper}"] * (args.paper is not None)
    options += [f"hand-{args.hand}"] * (args.hand != "even")
    options += [f"blur{args.blur:g}"] * (args.blur != BLUR[1])
    options += [f"marks{args.marks:g}"] * (args.marks != 0)
    options += ["cell"] * args.cell + ["cutcell"] * args.cut_cell
    options += [f"pageturn{args.page_turn:g}"] * (args.page_turn != 0)
    options += ["far"] * args.far
    options += [f"perspective{args.perspective:g}"] * (args.perspective != 0)
    options += ["kinds-" + "-".join(args.kinds)] * (tuple(args.kinds) != KINDS)
    return "-".join(["digitcli-numbers", *options, generators_stamp()])


def generators_stamp() -> str:
    """`g` and 8 hex digits of the generators' sources: a set written before a generator
    changed is written anew, not read again in place of the new one's."""
    digest = hashlib.sha256()
    for source in sorted(GENERATORS.glob("*.py")):
        digest.update(source.name.encode() + b"\0" + source.read_bytes())
    return "g" + digest.hexdigest()[:8]


def arguments() -> argparse.ArgumentParser:
    """The command line's options (what `default_folder` names a set by among them)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--per-kind", type=int, default=100)
    parser.add_argument(
        "--out", type=Path, help="default: a folder in the temp dir named by the set's options"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--model", default=None, help="default: the bundled model")
    parser.add_argument("--no-tesseract", action="store_true")
    parser.add_argument("--parts", action="store_true", help="also read without each part")
    parser.add_argument("--narrow", action="store_true", help="make_numbers.py --narrow's set")
    parser.add_argument("--mistakes", type=Path, help="write the misread numbers (JSON lines)")
    add_digit_options(parser)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = arguments()
    args = parser.parse_args(argv)
    checked_digit_options(parser, args)
    args.out = args.out or Path(tempfile.gettempdir()) / default_folder(args)
    if not (args.out / "labels.jsonl").exists():
        make_number_set_of(args, args.out)
    numbers = load_labels(args.out)
    model = args.model or str(REPO / "digitcli" / "models" / "pretrained")
    answers, rate, texts = read_with_digitcli(args.out, numbers, model)
    rows = {"digitcli read": (score(numbers, answers), rate, text_score(numbers, texts))}
    mistakes = mistakes_report(numbers, answers, args.mistakes) if args.mistakes else None
    for name, switches in PARTS.items() if args.parts else ():
        answers, rate, texts = read_with_digitcli(args.out, numbers, model, **switches)
        rows[name] = (score(numbers, answers), rate, text_score(numbers, texts))
    if not args.no_tesseract and shutil.which("tesseract"):
        sample = numbers[:: max(1, len(numbers) // 60)]
        best = max(
            TESSERACT_MODES,
            key=lambda m: score(sample, read_with_tesseract(args.out, sample, m)[0])["all"][1],
        )
        answers, rate = read_with_tesseract(args.out, numbers, best)
        rows[f"tesseract --psm {best}"] = (score(numbers, answers), rate)
    print(table(rows))
    if mistakes:
        print(f"\n{mistakes}")
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
