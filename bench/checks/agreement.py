"""`predict` and `read` over every picture of some folders, in one run: the pictures where the
two give different verdicts (the one verdict, docs/one-verdict.md).

    python bench/checks/agreement.py DIR [DIR ...] [--json]

A picture agrees when `predict`'s digit is `read`'s number; when `predict` finds several digits
and `read` reads a number of two digits or more, reads its lines one by one or cannot tell the
digits apart (not where it refuses the picture: `predict` gives its refusal then); when
`predict` refuses it as lines or a page and `read` reads its lines one by one; or when both
refuse it in the same words. Run over the real development sets (`real_pictures.py build`)
and the check sets; exit 1 on a disagreement.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from digitcli.imaging.verdict import NOT_DIGITS as LINES

PICTURES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp", ".tif", ".tiff")


def pictures(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.suffix.lower() in PICTURES and p.is_file())


def answers(command: str, files: list[Path]) -> dict[str, dict]:
    """`digitcli COMMAND` over `files` (bundled model, as a user runs it), one row per file."""
    with tempfile.NamedTemporaryFile("w", suffix=".txt") as listing:
        listing.write("".join(f"{path}\n" for path in files))
        listing.flush()
        done = subprocess.run(
            [sys.executable, "-m", "digitcli", command, "--from-list", listing.name,
             "--model", "bundled", "--format", "jsonl"],
            capture_output=True, text=True,
        )  # fmt: skip
    if done.returncode not in (0, 3):  # 3: some picture held no digit
        raise SystemExit(f"digitcli {command} failed ({done.returncode}): {done.stderr}")
    rows = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    return {row["file"]: row for row in rows}


def disagreements(predicted: dict[str, dict], read: dict[str, dict]) -> list[str]:
    """Each picture whose two verdicts differ, as a line naming both."""
    wrong = []
    for name, said in predicted.items():
        number, note = read[name].get("number"), read[name].get("note")
        if said.get("digit") is not None:
            agree = number == str(said["digit"])
        elif (said.get("note") or "").startswith("several digits"):
            told = number is not None and len(number) > 1
            agree = told or (note or "").startswith("several digits") or _by_lines(read[name])
        elif said.get("note") == LINES and _by_lines(read[name]):
            agree = True
        else:
            agree = number is None and note == said.get("note")
        if not agree:
            wrong.append(
                f"{name}: predict {said.get('digit')} {said.get('note')!r}, read {number} {note!r}"
            )
    return wrong


def _by_lines(reading: dict) -> bool:
    """Whether `read` read the picture's lines one by one."""
    return reading.get("number") is None and len(reading.get("lines") or ()) > 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folders", nargs="+", type=Path)
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout")
    args = parser.parse_args()
    report = {}
    for folder in args.folders:
        files = pictures(folder)
        wrong = disagreements(answers("predict", files), answers("read", files))
        report[str(folder.name)] = {"pictures": len(files), "disagree": wrong}
    if args.json:
        print(json.dumps(report, indent=1))
    else:
        for name, row in report.items():
            print(f"{name}: {row['pictures']} pictures, {len(row['disagree'])} disagree")
            for line in row["disagree"]:
                print(f"  {line}")
    sys.exit(1 if any(row["disagree"] for row in report.values()) else 0)


if __name__ == "__main__":
    main()
