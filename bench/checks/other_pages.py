"""Pages drawn another way than by any generator the judge learns from, blank and with a digit:
what `predict` answers pictures of paper nobody tuned on.

`make_blanks.py`, `make_photos.py` and `judge_pictures.py` make the judge's training pictures
(and the seeds 21 and 81 it is checked on come from the same code). These are drawn by other
code: a colour phone JPEG (a tint, quality 60-95) of
- `edge`: a whole sheet in perspective on a desk (a grain of streaks, a gradient),
- `shadow`: a page with a hand's or a phone's hard-edged polygon shadow,
- `fold`: a page with a crease (a bright or dark line, one side a little darker),
- `vignette`: a page darker towards its corners,
- `all`: all four at once,
each blank, then again with an MNIST training digit written on it (15-30% of the shorter
side, near the middle). Blank pages should be refused ("no digit found"), digits read.

    python bench/checks/other_pages.py --n 200 --seed 99 --out DIR [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path[:0] = [str(ROOT / "bench" / kind) for kind in (".", "build", "checks", "perf")]
sys.path.insert(0, str(ROOT / "tests" / "generators"))

from make_photos import load_mnist  # noqa: E402

KINDS = ("edge", "shadow", "fold", "vignette", "all")


def _smooth(rng: np.random.Generator, h: int, w: int, cells: int, amp: float) -> np.ndarray:
    grid = rng.normal(0, 1, (cells, cells)).astype(np.float32)
    return cv2.resize(grid, (w, h), interpolation=cv2.INTER_CUBIC) * amp


def _on_desk(page: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    h, w = page.shape
    desk = 60 + rng.uniform(0, 120) + _smooth(rng, h, w, 6, 15)
    desk += np.sin(np.linspace(0, rng.uniform(20, 80), w))[None, :] * rng.uniform(0, 12)
    corners = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    inset = rng.uniform(0.02, 0.2, 4)
    seen = np.float32([
        [w * inset[0], h * inset[1]],
        [w * (1 - inset[2]), h * rng.uniform(0, 0.15)],
        [w * (1 - rng.uniform(0, 0.2)), h * (1 - inset[3])],
        [w * rng.uniform(0, 0.2), h * (1 - rng.uniform(0, 0.1))],
    ])  # fmt: skip
    turn = cv2.getPerspectiveTransform(corners, seen)
    mask = cv2.warpPerspective(np.ones((h, w), np.float32), turn, (w, h))
    return cv2.warpPerspective(page, turn, (w, h)) * mask + desk * (1 - mask)


def _shadow(page: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    h, w = page.shape
    points = (rng.uniform(-0.3, 1.3, (int(rng.integers(3, 7)), 2)) * [w, h]).astype(np.int32)
    shade = np.zeros((h, w), np.float32)
    cv2.fillPoly(shade, [points], 1.0)
    k = int(rng.uniform(0.005, 0.08) * w) * 2 + 1
    return page * (1 - rng.uniform(0.2, 0.55) * cv2.GaussianBlur(shade, (k, k), 0))


def _fold(page: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    h, w = page.shape
    x0, x1 = rng.uniform(0, w, 2)
    across = np.arange(w)[None, :] - ((x1 - x0) / h * np.arange(h)[:, None] + x0)
    crease = np.exp(-((across / rng.uniform(0.8, 3)) ** 2))
    side = 1 - rng.uniform(0.02, 0.1) * (across > 0)
    return page * side + rng.choice([-1, 1]) * rng.uniform(5, 25) * crease


def _vignette(page: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    h, w = page.shape
    yy, xx = np.mgrid[0:h, 0:w]
    reach = ((xx - w / 2) / w) ** 2 + ((yy - h / 2) / h) ** 2
    return page * (1 - rng.uniform(0.2, 0.6) * reach * 2)


LOOKS = {"edge": (_on_desk,), "shadow": (_shadow,), "fold": (_fold,), "vignette": (_vignette,)}
LOOKS["all"] = (_on_desk, _shadow, _fold, _vignette)


def page(kind: str, digit: np.ndarray | None, rng: np.random.Generator) -> np.ndarray:
    """One BGR picture of `kind`, `digit` (28x28, ink bright) written near its middle."""
    w = int(rng.integers(600, 2000))
    h = int(w * rng.uniform(0.6, 1.5))
    paper = np.full((h, w), rng.uniform(170, 245), np.float32) + _smooth(rng, h, w, 12, 4)
    paper += rng.normal(0, rng.uniform(1, 4), (h, w))
    if digit is not None:
        side = int(min(h, w) * rng.uniform(0.15, 0.3))
        ink = cv2.resize(digit, (side, side), interpolation=cv2.INTER_CUBIC) / 255.0
        top = h // 2 - side // 2 + int(rng.uniform(-0.1, 0.1) * h)
        left = w // 2 - side // 2 + int(rng.uniform(-0.1, 0.1) * w)
        paper[top : top + side, left : left + side] *= 1 - 0.8 * np.clip(ink, 0, 1)
    for look in LOOKS[kind]:
        paper = look(paper, rng)
    paper = paper * (1 + _smooth(rng, h, w, 3, 0.06))
    tint = rng.uniform(0.85, 1.1, 3)
    return np.clip(paper[..., None] * tint, 0, 255).astype(np.uint8)


def make(out: Path, n: int, seed: int) -> list[tuple[Path, str, str]]:
    """`n` pages of each kind, blank and with a digit: (file, kind, label or "blank")."""
    digits, labels = load_mnist("train")
    rng = np.random.default_rng(seed)
    out.mkdir(parents=True, exist_ok=True)
    made = []
    for kind in KINDS:
        for i in range(n):
            pick = int(rng.integers(len(digits)))
            for label, digit in (("blank", None), (str(labels[pick]), digits[pick])):
                path = out / f"{kind}_{i:04d}_{label}.jpg"
                quality = int(rng.integers(60, 96))
                cv2.imwrite(str(path), page(kind, digit, rng), [cv2.IMWRITE_JPEG_QUALITY, quality])
                made.append((path, kind, label))
    return made


def measure(made: list[tuple[Path, str, str]]) -> dict[str, dict[str, int]]:
    """Per kind: blank pages refused; digits right, refused, wrong (`predict`, bundled)."""
    from digitcli.predicting.predict import predict

    answers = predict([str(path) for path, _, _ in made], top_k=1)
    counts: dict[str, Counter] = {kind: Counter() for kind in KINDS}
    for (_, kind, label), answer in zip(made, answers, strict=True):
        said = None if answer.digit is None else str(answer.digit)
        row = counts[kind]
        if label == "blank":
            row["blank"] += 1
            row["blank refused"] += said is None
        else:
            row["digits"] += 1
            row["right" if said == label else "refused" if said is None else "wrong"] += 1
    return {kind: dict(row) for kind, row in counts.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=40, help="pages of each kind")
    parser.add_argument("--seed", type=int, default=99)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    scores = measure(make(args.out, args.n, args.seed))
    if args.json:
        print(json.dumps(scores, indent=2))
        return
    total: Counter = Counter()
    for kind, row in scores.items():
        total.update(row)
        print(_line(kind, row))
    print(_line("all kinds", total))


def _line(name: str, row: dict) -> str:
    return (
        f"{name:<10} blank refused {row.get('blank refused', 0)}/{row.get('blank', 0)}"
        f" | digits right {row.get('right', 0)}, refused {row.get('refused', 0)},"
        f" wrong {row.get('wrong', 0)} of {row.get('digits', 0)}"
    )


if __name__ == "__main__":
    main()
