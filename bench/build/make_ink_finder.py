"""Train the ink finder (`digitcli/imaging/ink_finder.tflite`) on scenes whose strokes are
known by construction (`tests/generators/ink_scenes.py`, both its families), and nothing
else: the check sets (`bench/checks/other_pages.py`, the judge's generators, the real
pictures) stay out of it.

    python bench/build/make_ink_finder.py [--scenes 12000] [--epochs 12] [--seed 0]
        [--work build/ink_finder] [--init WEIGHTS]

The scenes are made once (two processes) and cached in WORK; each epoch shows every one in
one of its eight turns and mirrors (strokes mirrored are still strokes). A checkpoint is written
to WORK after each epoch and training goes on from it when run again (`--epochs` counts the
whole); at the end the best weights on held-back scenes are converted to LiteRT, stamped with
what they fit (`ink_finder.FITS`) and written to `--out`. `--stamp-only` restamps `--out`.
"""

from __future__ import annotations

import argparse
import json
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path[:0] = [str(ROOT / "bench" / kind) for kind in (".", "build", "checks", "perf")]
sys.path.insert(0, str(ROOT / "tests" / "generators"))

from digitcli.core.fits import stamp  # noqa: E402
from digitcli.imaging import ink_finder  # noqa: E402

import ink_scenes  # noqa: E402

SCENES = 12_000
EPOCHS = 12
BATCH = 32
SEED = 0
HELD_BACK = 0.05  # share of the scenes kept out of fitting, to choose the best epoch


def mask_view(mask: np.ndarray, inside: tuple[slice, slice]) -> np.ndarray:
    """A mask of the picture (0/1, its size) as the network's answer for its view should be."""
    rows, cols = inside
    size = (cols.stop - cols.start, rows.stop - rows.start)
    out = np.zeros((ink_finder.VIEW, ink_finder.VIEW), np.float32)
    out[inside] = cv2.resize(mask.astype(np.float32), size, interpolation=cv2.INTER_AREA)
    return (out >= 0.4).astype(np.float32)


def _made(seed: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    strokes = ink_scenes.load_strokes()
    x = np.empty((n, ink_finder.VIEW, ink_finder.VIEW), np.uint8)
    y = np.empty((n, ink_finder.VIEW, ink_finder.VIEW), np.uint8)
    for i, (picture, mask, _) in enumerate(ink_scenes.scenes(n, seed, strokes)):
        views, inside = ink_finder.view(picture)
        x[i] = np.clip(views[..., 0] * 255.0 + 0.5, 0, 255).astype(np.uint8)
        y[i] = mask_view(mask, inside)
    return x, y


def made(seed: int, n: int, cache: Path) -> tuple[np.ndarray, np.ndarray]:
    """`n` scenes' views (the grey channel, uint8) and masks, from cache when there."""
    if cache.exists():
        data = np.load(cache)
        return data["x"], data["y"]
    halves = [n // 2, n - n // 2]
    with ProcessPoolExecutor(2) as pool:
        parts = list(pool.map(_made, [seed * 2, seed * 2 + 1], halves))
    x, y = np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])
    cache.parent.mkdir(parents=True, exist_ok=True)
    np.savez(cache, x=x, y=y)
    return x, y


def channels(grey: np.ndarray) -> np.ndarray:
    """The network's input for views' grey channels (uint8, N x VIEW x VIEW), as `view` makes
    it."""
    return np.stack([ink_finder.channels(square) for square in grey.astype(np.float32)])


def build():
    import keras
    from keras import layers

    given = keras.Input((ink_finder.VIEW, ink_finder.VIEW, ink_finder.CHANNELS))
    full = layers.Conv2D(12, 3, padding="same", activation="relu")(given)  # strokes' edges
    half = layers.Conv2D(16, 3, strides=2, padding="same", activation="relu")(full)
    half = layers.Conv2D(16, 3, padding="same", activation="relu")(half)
    quarter = layers.Conv2D(24, 3, strides=2, padding="same", activation="relu")(half)
    for rate in (1, 2, 4):  # what is around: a line across, a page, a desk
        quarter = layers.Conv2D(24, 3, dilation_rate=rate, padding="same", activation="relu")(
            quarter
        )
    up = layers.Concatenate()([layers.UpSampling2D(interpolation="bilinear")(quarter), half])
    up = layers.SeparableConv2D(16, 3, padding="same", activation="relu")(up)
    up = layers.Concatenate()([layers.UpSampling2D(interpolation="bilinear")(up), full])
    up = layers.SeparableConv2D(12, 3, padding="same", activation="relu")(up)
    stroke = layers.Conv2D(1, 1, activation="sigmoid")(up)
    return keras.Model(given, stroke)


def loss(truth, guess):
    """Cross-entropy, and a Dice term so that thin strokes (a few % of the pixels) count."""
    import keras
    from keras import ops

    entropy = keras.losses.binary_crossentropy(truth, guess)
    overlap = ops.sum(truth * guess, axis=(1, 2, 3))
    total = ops.sum(truth, axis=(1, 2, 3)) + ops.sum(guess, axis=(1, 2, 3))
    dice = 1.0 - (2.0 * overlap + 1.0) / (total + 1.0)
    return ops.mean(entropy, axis=(1, 2)) + 0.5 * dice


def batches(x: np.ndarray, y: np.ndarray, seed: int):
    """Endless shuffled batches, each picture in one of its eight turns and mirrors."""
    rng = np.random.default_rng(seed)
    while True:
        order = rng.permutation(len(x))
        for start in range(0, len(order) - BATCH + 1, BATCH):
            pick = order[start : start + BATCH]
            turns, flip = int(rng.integers(4)), bool(rng.integers(2))
            gx, gy = np.rot90(x[pick], turns, (1, 2)), np.rot90(y[pick], turns, (1, 2))
            if flip:
                gx, gy = gx[:, :, ::-1], gy[:, :, ::-1]
            yield channels(np.ascontiguousarray(gx)), gy[..., None].astype(np.float32)


def train(x, y, work: Path, epochs: int, seed: int, init: Path | None = None):
    import keras

    keras.utils.set_random_seed(seed)
    cut = int(len(x) * (1 - HELD_BACK))
    checkpoint, state = work / "last.keras", work / "state.json"
    done = json.loads(state.read_text())["epochs"] if state.exists() else 0
    if done and checkpoint.exists():
        model = keras.models.load_model(checkpoint, custom_objects={"loss": loss})
    else:
        model = build()
        if init is not None:  # weights of an earlier run, to go on from on new scenes
            model.load_weights(init)
        model.compile(optimizer=keras.optimizers.Adam(2e-3), loss=loss,
                      metrics=[keras.metrics.BinaryIoU(target_class_ids=[1])])  # fmt: skip
    held = (channels(x[cut:]), y[cut:, ..., None].astype(np.float32))
    best = work / "best.weights.h5"

    class Saved(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            self.model.save(checkpoint)
            previous = json.loads(state.read_text()) if state.exists() else {}
            score = float(logs["val_loss"])
            if score < previous.get("best", float("inf")):
                self.model.save_weights(best)
                previous["best"] = score
            state.write_text(json.dumps({**previous, "epochs": epoch + 1}))

    if done < epochs:
        model.fit(
            batches(x[:cut], y[:cut], seed + done),
            steps_per_epoch=cut // BATCH,
            epochs=epochs,
            initial_epoch=done,
            validation_data=held,
            callbacks=[Saved(), keras.callbacks.ReduceLROnPlateau(patience=2, factor=0.5)],
            verbose=2,
        )
    model.load_weights(best)
    return model


def tflite(model, out: Path) -> None:
    import tensorflow as tf

    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    draft = out.with_name(f".draft-{out.name}")  # .tflite: stamped as one
    draft.write_bytes(converter.convert())
    stamp(draft, ("ink_finder",), ink_finder.FITS)
    draft.replace(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenes", type=int, default=SCENES)
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--work", type=Path, default=ROOT / "build" / "ink_finder")
    parser.add_argument("--out", type=Path, default=ink_finder.MODEL)
    parser.add_argument("--init", type=Path, help="start from these weights (.weights.h5)")
    parser.add_argument("--stamp-only", action="store_true", help="restamp --out, no training")
    args = parser.parse_args()
    if args.stamp_only:
        stamp(args.out, ("ink_finder",), ink_finder.FITS)
        return
    args.work.mkdir(parents=True, exist_ok=True)
    x, y = made(args.seed, args.scenes, args.work / f"scenes-{args.seed}-{args.scenes}.npz")
    print(f"scenes: {len(x)}, stroke pixels {y.mean():.2%}", flush=True)
    model = train(x, y, args.work, args.epochs, args.seed, args.init)
    tflite(model, args.out)
    print(f"wrote {args.out}", flush=True)


if __name__ == "__main__":
    main()
