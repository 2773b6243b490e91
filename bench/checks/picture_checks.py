"""How the preparation's checks of pictures on paper do: real digits kept and read, blank and
several-digit pictures refused.

    python bench/checks/picture_checks.py --real DIR --blanks DIR --numbers DIR [--judges JUDGES]

Three sets, read as `digitcli predict` reads them with the bundled model (each picture
answered in this process by `predict_sources`, `predict`'s own path): the real set
(`bench/checks/real_pictures.py build`), a `tests/generators/make_blanks.py` set (blank pages:
all should be refused) and a `tests/generators/make_numbers.py` set (numbers: all should be
refused). It prints the real single digits read right and refused, the real blank,
several-digit and non-digit pictures refused, and the share of each made set refused. With
--judges, a folder of `bench/build/make_judge.py` judges: each real picture is judged by
`judge-foldK.tflite`, trained without its fold K (repository-held-out), and the made sets by
`judge-all.tflite`, trained on every fold.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from real_pictures import file_name  # noqa: E402

from digitcli.core.errors import ImageError  # noqa: E402
from digitcli.imaging import judge, verdict  # noqa: E402
from digitcli.imaging.images import Prepared  # noqa: E402
from digitcli.inputs.sources import Source  # noqa: E402
from digitcli.predicting.answers import Prediction  # noqa: E402
from digitcli.predicting.predict import predict_sources  # noqa: E402


def real_pictures(folder: Path) -> list[tuple[Path, str, int]]:
    """(file, label, fold) of each picture of the built real set in `folder`."""
    found = []
    with (folder / "real_pictures.csv").open(newline="") as handle:
        for row in csv.DictReader(handle):
            name = file_name(row["repo"], row["path"])
            path = folder / row["fold"] / name
            if path.is_file():
                found.append((path, row["label"], int(row["fold"])))
    return found


def made_pictures(folder: Path) -> list[Path]:
    """The pictures (PNG, JPEG) of a folder, in name order: a make_blanks or make_numbers
    folder, photos of things."""
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in (".png", ".jpg", ".jpeg"))


def answer(path: Path, runtime) -> str:
    """`predict`'s answer for one file (`predict_sources`, its own path): a digit, `blank`
    (any refusal: blank, lines, not a digit), `several` or `error`."""
    [found], [prepared] = predict_sources(runtime, [Source(path.name, path=path)], top_k=1)
    return said(found, prepared)


def said(found: Prediction, prepared: Prepared | ImageError) -> str:
    """`answer`'s word for `predict`'s answer `found` to the picture it `prepared`."""
    if found.failed:
        return "error"
    if found.answered:
        return str(found.digit)
    return "several" if verdict.kind(prepared) is verdict.Kind.SEVERAL else "blank"


def bundled_runtime():
    """The bundled model's runtime, as a new user gets it, whatever model the user chose as
    the default (the environment is left as it is)."""
    from digitcli.models.runtimes import load_runtime, resolve_model

    return load_runtime(resolve_model("bundled"))


def score(args: argparse.Namespace) -> dict:
    runtime = bundled_runtime()
    scores: dict = {}
    if args.real is not None:
        digits = Counter()
        refused, others, wrong = [], Counter(), []
        for path, label, fold in real_pictures(args.real):
            use_judge(args, f"judge-fold{fold}.tflite")
            said = answer(path, runtime)
            if label.isdigit():
                digits["total"] += 1
                digits["right"] += said == label
                if not said.isdigit():
                    refused.append(f"{path.name} ({label}): {said}")
                elif said != label:
                    wrong.append(f"{path.name}: {label} read as {said}")
            else:
                group = label.split(":")[0]
                others[f"{group} total"] += 1
                others[f"{group} refused"] += not said.isdigit()
                others[f"{group} as {said if not said.isdigit() else 'digit'}"] += 1
        scores["real"] = {
            "right": digits["right"],
            "total": digits["total"],
            "accuracy": round(digits["right"] / max(digits["total"], 1), 4),
            "refused": refused,
            "wrong": wrong,
            "others": dict(sorted(others.items())),
        }
    for name in ("blanks", "numbers"):
        folder = getattr(args, name)
        if folder is None:
            continue
        use_judge(args, "judge-all.tflite")
        answered = [(path.name, answer(path, runtime)) for path in made_pictures(folder)]
        missed = [f"{file} -> {said}" for file, said in answered if said.isdigit()]
        scores[name] = {
            "refused": len(answered) - len(missed),
            "total": len(answered),
            "share": round(1 - len(missed) / max(len(answered), 1), 4),
            "answered": missed,
        }
    judge.use_model(None)
    return scores


def use_judge(args: argparse.Namespace, name: str) -> None:
    """Consult the judge `name` in --judges, if given (else the shipped one)."""
    if getattr(args, "judges", None) is not None:
        judge.use_model(args.judges / name)


def add_set_arguments(parser: argparse.ArgumentParser) -> None:
    """The options `score` reads: the three sets, and the judges to consult."""
    parser.add_argument("--real", type=Path)
    parser.add_argument("--blanks", type=Path)
    parser.add_argument("--numbers", type=Path)
    parser.add_argument("--judges", type=Path, help="judge-foldK.tflite and judge-all.tflite")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_set_arguments(parser)
    parser.add_argument("--json", action="store_true", help="every file listed")
    args = parser.parse_args()
    scores = score(args)
    if args.json:
        print(json.dumps(scores, indent=2))
        return
    if "real" in scores:
        real = scores["real"]
        print(f"real digits: {real['accuracy']:.1%} ({real['right']}/{real['total']}), "
              f"refused {len(real['refused'])}")  # fmt: skip
        for line in real["refused"]:
            print(f"  refused {line}")
        print(f"real others: {real['others']}")
    for name in ("blanks", "numbers"):
        if name in scores:
            made = scores[name]
            print(f"{name}: refused {made['share']:.1%} ({made['refused']}/{made['total']})")
            for line in made["answered"]:
                print(f"  answered {line}")


if __name__ == "__main__":
    main()
