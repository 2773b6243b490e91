"""MNIST test digits made into the files users really hand to `digitcli predict`.

Each digit becomes one file of 300-1500 px a side, off-centre and slightly rotated and blurred:
dark ink on light paper with a lighting gradient, texture and noise saved as JPEG (half of them
with an EXIF orientation tag and the pixels stored rotated to match), grayscale scans, drawings
with a transparent background (PNG, RGBA), light ink on a dark canvas, palette PNGs and 16-bit
PNGs. `accuracy` then scores a classifier on those files, read either the naive way (grayscale,
resize to 28x28) or through digitcli.imaging.images.prepare_file.

    python tests/generators/make_photos.py --n 1000 --out photos         # make the files
    python tests/generators/make_photos.py --n 1000 --out photos --time  # and time reading them
    python tests/generators/make_photos.py --n 300 --out slips --slips   # each on a slip on a desk
    python tests/generators/make_photos.py --n 200 --out phone --phone   # camera-sized paper JPEGs
    python tests/generators/make_photos.py --n 1000 --out photos --baseline
        # ... and train a small numpy MLP on MNIST to compare naive resizing with prepare

With a trained digitcli model, pass its predict function (uint8 (n, 28, 28) in, digits or
probabilities out) to `accuracy(predict_fn, files, method="naive" | "prepared")`.
"""

from __future__ import annotations

import argparse
import gzip
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from PIL import Image, ImageFilter

from digitcli.imaging.images import naive_resize, prepare, prepare_file
from digitcli.imaging.morphology import bounds

MNIST_DIR = Path(__file__).resolve().parents[2] / "MNIST"
STYLES = ("paper_jpeg", "scan_jpeg", "drawing_rgba", "dark_canvas", "palette", "gray16")
STYLE_WEIGHTS = (0.35, 0.10, 0.20, 0.15, 0.10, 0.10)
SIDES = (300, 1500)  # px: the shortest and longest a side may be
PHONE_SIDES = (3000, 4032)  # px: --phone, a phone camera's pictures (9-12 megapixels)
# A viewer shows pixels stored under EXIF orientation `o` after ImageOps.exif_transpose's
# transform for `o`; so a photo taken upright is stored with the inverse transform applied.
STORE_FOR_ORIENTATION = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_90,  # exif_transpose turns it back with ROTATE_270
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_270,
}

PredictFn = Callable[[np.ndarray], np.ndarray]


def load_idx(images: Path, labels: Path) -> tuple[np.ndarray, np.ndarray]:
    """MNIST's IDX files (gzip or raw): uint8 images (n, 28, 28) and labels (n,)."""

    def read(path: Path) -> bytes:
        data = path.read_bytes()
        return gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data

    raw_x, raw_y = read(images), read(labels)
    magic, n, rows, cols = np.frombuffer(raw_x, ">u4", count=4)
    if magic != 2051:
        raise ValueError(f"{images}: not an IDX image file (magic {magic})")
    x = np.frombuffer(raw_x, np.uint8, offset=16).reshape(n, rows, cols)
    magic, m = np.frombuffer(raw_y, ">u4", count=2)
    if magic != 2049 or m != n:
        raise ValueError(f"{labels}: not the IDX labels of {images}")
    return x, np.frombuffer(raw_y, np.uint8, offset=8).astype(np.int64)


def load_mnist(split: str = "t10k", folder: Path = MNIST_DIR) -> tuple[np.ndarray, np.ndarray]:
    return load_idx(
        folder / f"{split}-images-idx3-ubyte.gz", folder / f"{split}-labels-idx1-ubyte.gz"
    )


def make_photo_set(
    x: np.ndarray,
    y: np.ndarray,
    out_dir: Path,
    n: int,
    seed: int = 0,
    slips: bool = False,
    phone: bool = False,
) -> list[tuple[Path, int]]:
    """Write `n` user-style image files made from the digits x[:n]; return (path, label) pairs.
    `slips`: every file a photo of a slip of paper lying on a desk (`_make_slip`) instead;
    `phone`: every file a paper JPEG of PHONE_SIDES, as a phone camera saves it."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    files = []
    for i in range(n):
        if slips:
            path = _make_slip(x[i], out_dir / f"{i:05d}_slip", rng)
        elif phone:
            path = _make_one(x[i], "paper_jpeg", out_dir / f"{i:05d}_phone", rng, PHONE_SIDES)
        else:
            style = STYLES[rng.choice(len(STYLES), p=STYLE_WEIGHTS)]
            path = _make_one(x[i], style, out_dir / f"{i:05d}_{style}", rng)
        files.append((path, int(y[i])))
    return files


def _make_one(
    digit: np.ndarray,
    style: str,
    stem: Path,
    rng: np.random.Generator,
    sides: tuple[int, int] = SIDES,
) -> Path:
    shortest, longest = sides
    width = int(rng.integers(shortest, longest + 1))
    height = int(np.clip(width * rng.uniform(0.5, 2.0), shortest, longest))
    coverage = _place(digit, width, height, rng)  # 0-1 ink coverage, (height, width)
    if style == "drawing_rgba":
        light = rng.random() < 0.3
        ink = rng.integers(190, 256, 3) if light else rng.integers(0, 90, 3)
        rgba = np.zeros((height, width, 4), dtype=np.uint8)
        rgba[..., :3] = ink if rng.random() < 0.5 else 255 - ink  # colour under alpha 0: junk
        rgba[..., :3] = np.where(coverage[..., None] > 0, ink, rgba[..., :3])
        rgba[..., 3] = np.round(coverage * 255).astype(np.uint8)
        path = stem.with_suffix(".png")
        Image.fromarray(rgba, "RGBA").save(path)
        return path
    if style == "dark_canvas":
        canvas = _lighting(width, height, rng.uniform(0, 50), rng.uniform(0, 20), rng)
        canvas = np.repeat(canvas[..., None], 3, axis=2) + rng.normal(0, 3, (height, width, 3))
        ink = rng.integers(170, 256, 3).astype(np.float32)
        rgb = canvas * (1 - coverage[..., None]) + ink * coverage[..., None]
        path = stem.with_suffix(".png")
        _blurred(Image.fromarray(_u8(rgb), "RGB"), rng).save(path)
        return path
    paper = _lighting(width, height, rng.uniform(165, 245), rng.uniform(0, 45), rng)
    texture = _texture(width, height, rng) + rng.normal(0, rng.uniform(2, 8), (height, width))
    paper = paper + texture
    if style in ("scan_jpeg", "gray16"):
        ink_level = rng.uniform(10, 80)
        gray = paper * (1 - coverage) + ink_level * coverage
        image = _blurred(Image.fromarray(_u8(gray), "L"), rng)
        if style == "gray16":
            wide = np.asarray(image, dtype=np.int32) * 257 + rng.integers(
                -128, 129, image.size[::-1]
            )
            path = stem.with_suffix(".png")
            Image.fromarray(np.clip(wide, 0, 65535).astype(np.uint16)).save(path)  # I;16
            return path
        path = stem.with_suffix(".jpg")
        image.save(path, "JPEG", quality=int(rng.integers(70, 96)))
        return path
    tint = rng.uniform(0.9, 1.0, 3)  # paper is rarely neutral grey
    ink = rng.choice([[25, 25, 30], [30, 40, 130], [20, 60, 150], [60, 60, 60]])
    ink = np.asarray(ink, dtype=np.float32) + rng.normal(0, 8, 3)
    rgb = paper[..., None] * tint * (1 - coverage[..., None]) + ink * coverage[..., None]
    image = _blurred(Image.fromarray(_u8(rgb), "RGB"), rng)
    if style == "palette":
        path = stem.with_suffix(".png")
        image.quantize(colors=int(rng.integers(8, 65))).save(path)
        return path
    path = stem.with_suffix(".jpg")
    if rng.random() < 0.5:
        orientation = int(
            rng.choice([3, 6, 8, 2, 5, 7, 4], p=[0.25, 0.3, 0.25, 0.05, 0.05, 0.05, 0.05])
        )
        exif = Image.Exif()
        exif[0x0112] = orientation
        image = image.transpose(STORE_FOR_ORIENTATION[orientation])
        image.save(path, "JPEG", quality=int(rng.integers(70, 96)), exif=exif)
    else:
        image.save(path, "JPEG", quality=int(rng.integers(70, 96)))
    return path


def _make_slip(digit: np.ndarray, stem: Path, rng: np.random.Generator) -> Path:
    """A phone JPEG of a slip of paper with the digit on it, lying askew (up to 12 degrees) on
    a desk: half of them a grey slip (170-215) on a lighter lid (225-250), half a light one
    (185-245) on a dark table (30-110)."""
    width = int(rng.integers(300, 1501))
    height = int(np.clip(width * rng.uniform(0.5, 2.0), 300, 1500))
    on_a_lid = rng.random() < 0.5
    desk = rng.uniform(225, 250) if on_a_lid else rng.uniform(30, 110)
    paper = rng.uniform(170, 215) if on_a_lid else rng.uniform(185, 245)
    slip_w, slip_h = (round(side * rng.uniform(0.4, 0.7)) for side in (width, height))
    left = int(rng.integers(width // 10, width - slip_w - width // 10 + 1))
    top = int(rng.integers(height // 10, height - slip_h - height // 10 + 1))
    slip = np.zeros((height, width), dtype=np.float32)
    slip[top : top + slip_h, left : left + slip_w] = 1.0
    coverage = np.zeros_like(slip)
    coverage[top : top + slip_h, left : left + slip_w] = _place(digit, slip_w, slip_h, rng)
    angle, centre = rng.uniform(-12, 12), (left + slip_w / 2, top + slip_h / 2)
    slip, coverage = (
        np.asarray(Image.fromarray(a, "F").rotate(angle, Image.Resampling.BILINEAR, center=centre))
        for a in (slip, coverage)
    )
    light = _lighting(width, height, 0.0, rng.uniform(0, 30), rng)
    ground = desk * (1 - slip) + paper * slip + light + _texture(width, height, rng)
    ink = rng.uniform(20, 70)
    gray = ground * (1 - coverage) + ink * coverage + rng.normal(0, 3, (height, width))
    rgb = np.repeat(gray[..., None], 3, axis=2) * rng.uniform(0.9, 1.0, 3)
    path = stem.with_suffix(".jpg")
    _blurred(Image.fromarray(_u8(rgb), "RGB"), rng).save(path, "JPEG", quality=90)
    return path


def _place(digit: np.ndarray, width: int, height: int, rng: np.random.Generator) -> np.ndarray:
    """The digit's ink coverage (0-1), scaled to a quarter to two thirds of the picture,
    rotated a little and put anywhere it fits."""
    crop = Image.fromarray(digit[bounds(digit > 0)])
    size = rng.uniform(0.25, 0.65) * min(width, height)
    scale = size / max(crop.size)
    crop = crop.resize(
        (max(1, round(crop.width * scale)), max(1, round(crop.height * scale))),
        Image.Resampling.BICUBIC,
    )
    crop = crop.rotate(rng.uniform(-7, 7), Image.Resampling.BICUBIC, expand=True)
    coverage = np.zeros((height, width), dtype=np.float32)
    top = int(rng.integers(0, height - crop.height + 1))
    left = int(rng.integers(0, width - crop.width + 1))
    coverage[top : top + crop.height, left : left + crop.width] = np.asarray(crop) / 255.0
    return coverage


def _lighting(
    width: int, height: int, level: float, amplitude: float, rng: np.random.Generator
) -> np.ndarray:
    """A flat level with a linear gradient of the given amplitude in a random direction."""
    angle = rng.uniform(0, 2 * np.pi)
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    ramp = (np.cos(angle) * xx / width + np.sin(angle) * yy / height) - 0.5
    return level + amplitude * ramp


def _texture(width: int, height: int, rng: np.random.Generator) -> np.ndarray:
    """Smooth blotches, like paper fibres and uneven light, of a few grey levels."""
    small = rng.normal(0, rng.uniform(1, 6), (8, 8)).astype(np.float32)
    big = Image.fromarray(small, "F").resize((width, height), Image.Resampling.BICUBIC)
    return np.asarray(big, dtype=np.float32)


def _blurred(image: Image.Image, rng: np.random.Generator) -> Image.Image:
    radius = rng.uniform(0.3, 1.5) * max(image.size) / 600
    return image.filter(ImageFilter.GaussianBlur(radius))


def _u8(values: np.ndarray) -> np.ndarray:
    return np.clip(values + 0.5, 0, 255).astype(np.uint8)


def load_naive(path: Path) -> np.ndarray:
    """A file read the way a plain script would: no EXIF, no inversion, just resized."""
    with Image.open(path) as image:
        return naive_resize(image)


def load_prepared(path: Path) -> np.ndarray | None:
    """A file read through digitcli's preparation; None when it finds no digit."""
    prepared = prepare_file(path)
    return prepared.pixels if prepared.has_ink else None


def accuracy(
    predict_fn: PredictFn, files: Sequence[tuple[Path, int]], *, method: str = "prepared"
) -> float:
    """Share of `files` that `predict_fn` gets right when they are read by `method`
    ("prepared": digitcli.imaging.images.prepare_file; "naive": grayscale and resize only).

    predict_fn takes uint8 images (n, 28, 28) and returns digits (n,) or probabilities (n, 10).
    An image in which prepare finds no digit counts as wrong.
    """
    if method not in ("prepared", "naive"):
        raise ValueError(f"method must be 'prepared' or 'naive', not {method!r}")
    load = load_prepared if method == "prepared" else load_naive
    images, labels, missing = [], [], 0
    for path, label in files:
        pixels = load(path)
        if pixels is None:
            missing += 1
            continue
        images.append(pixels)
        labels.append(label)
    if not images:
        return 0.0
    out = np.asarray(predict_fn(np.stack(images)))
    predicted = out.argmax(axis=1) if out.ndim == 2 else out
    return float((predicted == np.asarray(labels)).sum() / (len(labels) + missing))


def time_prepare(files: Sequence[tuple[Path, int]], repeat: int = 1) -> float:
    """Seconds per file for prepare_file (decoding included), best of `repeat` passes."""
    paths = [path for path, _label in files]
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for path in paths:
            prepare_file(path)
        best = min(best, (time.perf_counter() - start) / len(files))
    return best


def train_baseline(epochs: int = 3, seed: int = 0) -> PredictFn:
    """A small numpy MLP (784-256-10) trained on MNIST's training set, ~98% on its test set:
    enough to compare ways of reading files without TensorFlow."""
    x, y = load_mnist("train")
    x = x.reshape(len(x), -1).astype(np.float32) / 255.0
    rng = np.random.default_rng(seed)
    w1 = rng.normal(0, np.sqrt(2 / 784), (784, 256)).astype(np.float32)
    b1 = np.zeros(256, np.float32)
    w2 = rng.normal(0, np.sqrt(2 / 256), (256, 10)).astype(np.float32)
    b2 = np.zeros(10, np.float32)
    params = [w1, b1, w2, b2]
    velocity = [np.zeros_like(p) for p in params]
    batch, steps = 128, epochs * (len(x) // 128)
    for step in range(steps):
        if step % (len(x) // batch) == 0:
            order = rng.permutation(len(x))
        idx = order[(step % (len(x) // batch)) * batch :][:batch]
        xb, yb = x[idx], y[idx]
        h = np.maximum(xb @ w1 + b1, 0)
        logits = h @ w2 + b2
        p = np.exp(logits - logits.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        p[np.arange(len(yb)), yb] -= 1
        g_logits = p / len(yb)
        g_h = (g_logits @ w2.T) * (h > 0)
        grads = [xb.T @ g_h, g_h.sum(0), h.T @ g_logits, g_logits.sum(0)]
        lr = 0.1 * 0.5 * (1 + np.cos(np.pi * step / steps))
        for param, vel, grad in zip(params, velocity, grads, strict=True):
            vel *= 0.9
            vel -= lr * grad
            param += vel

    def predict(images: np.ndarray) -> np.ndarray:
        flat = images.reshape(len(images), -1).astype(np.float32) / 255.0
        return (np.maximum(flat @ w1 + b1, 0) @ w2 + b2).argmax(axis=1)

    return predict


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1000, help="how many files (default 1000)")
    parser.add_argument(
        "--out",
        type=Path,
        default=Path(tempfile.gettempdir()) / "digitcli-photos",
        help="output folder (default: digitcli-photos in the temporary directory)",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--time", action="store_true", help="time prepare_file per file")
    parser.add_argument(
        "--slips", action="store_true", help="every file a slip of paper lying on a desk"
    )
    parser.add_argument(
        "--phone", action="store_true", help="every file a paper JPEG of 3000-4032 px a side"
    )
    parser.add_argument(
        "--baseline", action="store_true", help="train a numpy MLP and compare naive vs prepared"
    )
    args = parser.parse_args(argv)
    x, y = load_mnist("t10k")
    start = time.perf_counter()
    files = make_photo_set(
        x, y, args.out, args.n, seed=args.seed, slips=args.slips, phone=args.phone
    )
    print(f"wrote {len(files)} files to {args.out} in {time.perf_counter() - start:.1f} s")
    if args.time:
        seconds = time_prepare(files, repeat=2)
        print(f"prepare_file: {seconds * 1000:.2f} ms per file ({1 / seconds:.0f} files/s, 1 core)")
    if args.baseline:
        predict = train_baseline()
        mnist = float((predict(x) == y).mean())
        again = np.stack([prepare(Image.fromarray(digit)).pixels for digit in x])
        print(f"numpy MLP on the MNIST test set: {mnist:.4f}")
        print(f"         ... after prepare(): {float((predict(again) == y).mean()):.4f}")
        for method in ("naive", "prepared"):
            print(f"{method:>8} on the files: {accuracy(predict, files, method=method):.4f}")
        by_style: dict[str, list[tuple[Path, int]]] = {}
        for path, label in files:
            by_style.setdefault(path.stem.split("_", 1)[1], []).append((path, label))
        for style, group in sorted(by_style.items()):
            naive = accuracy(predict, group, method="naive")
            prepared = accuracy(predict, group, method="prepared")
            print(f"  {style:>12} ({len(group):4d}): naive {naive:.3f}  prepared {prepared:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
