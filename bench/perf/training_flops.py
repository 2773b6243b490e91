"""Where the default mlp's training time goes, in FLOP/s against this machine's own peak.

    python bench/perf/training_flops.py [--json]

Measured in one process, one after the other:

- **peak**: float32 matrix products of 2048 x 2048 by TensorFlow (XLA, all cores), the most
  this machine's CPU gives a GEMM;
- **the network's own GEMMs**: the six matrix products of one training step of 784-512-64-10
  at batch 32 (forward; backward for the weights and for the hidden layers' inputs), and
  nothing else, compiled by XLA like the step;
- **training**: epochs of digitcli's compiled model (`recipe.compiled_model`, the default
  recipe, its digits deskewed beforehand as `digitcli train` feeds them) in the loop `digitcli
  train` runs them in (`fused.FusedEpochs`: 200 steps a call into one XLA program), on MNIST's
  training digits as written, no redraw;
- **training with the redraw**: the same epochs while a background thread redraws half of
  the digits, as `digitcli train` does by default.

FLOPs per sample are those of the matrix products (2 per multiply-add): forward 0.87 MFLOP,
backward 0.94 MFLOP (no gradient for the input pixels); Adam, the loss and the metrics come on
top and are not counted, so the training figures are what share of the peak goes to the
products themselves.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from digitcli.core.config import IMAGE_SIZE, NUM_CLASSES, train_config  # noqa: E402

MLP = train_config("mlp")  # the default recipe: its network and batch are what is measured
WIDTHS = (IMAGE_SIZE * IMAGE_SIZE, *MLP.layers, NUM_CLASSES)
LAYERS = list(zip(WIDTHS[:-1], WIDTHS[1:], strict=True))  # (inputs, outputs) of each layer
BATCH = MLP.batch_size
EPOCHS = 3  # the first one compiles; the median of the others counts


def flops_per_sample() -> tuple[float, float]:
    """(forward, backward) FLOPs of the matrix products for one sample of 784-512-64-10."""
    forward = sum(2 * n_in * n_out for n_in, n_out in LAYERS)
    weights = forward  # dL/dW = x^T . dL/dy: one product the size of the forward one per layer
    inputs = sum(2 * n_in * n_out for n_in, n_out in LAYERS[1:])  # no dL/dx for the pixels
    return forward, weights + inputs


def _rate(step, flops: float, seconds: float = 2.0) -> float:
    """FLOP/s of `step` (a compiled function doing `flops` FLOPs a call), after a warm-up."""
    step()
    calls, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        step()
        calls += 1
    return flops * calls / (time.perf_counter() - started)


def peak_gemm() -> float:
    import tensorflow as tf

    size = 2048
    a = tf.random.normal((size, size))
    b = tf.random.normal((size, size))
    product = tf.function(lambda: tf.reduce_sum(tf.matmul(a, b)), jit_compile=True)
    return _rate(lambda: product().numpy(), 2 * size**3)


def network_gemms() -> float:
    """FLOP/s of one batch-32 step's six matrix products, ten steps per call."""
    import tensorflow as tf

    rng = np.random.default_rng(0)
    weights = [tf.constant(rng.normal(size=layer), tf.float32) for layer in LAYERS]
    x = tf.constant(rng.normal(size=(BATCH, WIDTHS[0])), tf.float32)

    @tf.function(jit_compile=True)
    def steps():
        total = tf.constant(0.0)
        for _ in range(10):
            h1 = tf.matmul(x + total, weights[0])
            h2 = tf.matmul(h1, weights[1])
            out = tf.matmul(h2, weights[2])
            g2 = tf.matmul(out, weights[2], transpose_b=True)
            g1 = tf.matmul(g2, weights[1], transpose_b=True)
            dw = [tf.matmul(x, g1, transpose_a=True), tf.matmul(h1, g2, transpose_a=True),
                  tf.matmul(h2, out, transpose_a=True)]  # fmt: skip
            total = sum(tf.reduce_sum(w) for w in dw) * 1e-30
        return total

    forward, backward = flops_per_sample()
    return _rate(lambda: steps().numpy(), 10 * BATCH * (forward + backward))


def adam_update_seconds() -> float:
    """Seconds of one Adam update of the network's weights and biases, alone (XLA)."""
    import keras
    import tensorflow as tf

    shapes = [*LAYERS, *((n_out,) for _, n_out in LAYERS)]
    variables = [keras.Variable(np.zeros(shape, np.float32)) for shape in shapes]
    gradients = [tf.ones(shape) * 1e-3 for shape in shapes]
    optimizer = keras.optimizers.Adam(0.001)
    optimizer.build(variables)

    @tf.function(jit_compile=True)
    def updates():
        for _ in range(10):
            optimizer.apply_gradients(zip(gradients, variables, strict=True))
        return variables[0][0, 0]

    return 1.0 / _rate(lambda: updates().numpy(), 10.0)


def training(redraw: bool) -> tuple[float, float]:
    """(samples/s, FLOP/s of the products) of the default mlp's epochs."""
    from digitcli.datasets.data import load_dataset
    from digitcli.models.backend import tf
    from digitcli.models.deskew import deskewed
    from digitcli.training.augment import EpochImages
    from digitcli.training.fused import FusedEpochs
    from digitcli.training.recipe import compiled_model
    from digitcli.training.splits import split_validation

    # The digits `digitcli train` fits on: the training split less its validation share.
    fit, _ = split_validation(load_dataset(ROOT / "MNIST").train, MLP.validation_split, MLP.seed)
    x, y = fit.x, fit.y
    steps = math.ceil(len(x) / BATCH)
    # As `digitcli train` does: the network without its deskew layer, fed digits deskewed
    # in NumPy (beside it, with the draw).
    network = replace(MLP, deskew=False)
    model = compiled_model(network, steps, tf.distribute.get_strategy())
    draws = EpochImages(x, MLP.seed, MLP.writers, labels=y, prepare=deskewed) if redraw else None
    x = deskewed(x)
    epochs = FusedEpochs(model, BATCH)
    seconds = []
    try:
        for epoch in range(EPOCHS):
            started = time.perf_counter()
            images = draws.get(epoch, upcoming=epoch + 1).images if draws else x
            epochs.fit_one_epoch(epoch, images, y)
            seconds.append(time.perf_counter() - started)
    finally:
        if draws:
            draws.close()
    rate = len(x) / float(np.median(seconds[1:]))
    return rate, rate * sum(flops_per_sample())


def measure() -> dict:
    peak = peak_gemm()
    gemms = network_gemms()
    adam = adam_update_seconds()
    plain_rate, plain = training(redraw=False)
    drawn_rate, drawn = training(redraw=True)
    return {
        "peak_gflops": peak / 1e9,
        "network_gemms_gflops": gemms / 1e9,
        "network_gemms_ms_per_step": BATCH * sum(flops_per_sample()) / gemms * 1e3,
        "adam_ms_per_step": adam * 1e3,
        "training_ms_per_step": BATCH / plain_rate * 1e3,
        "training_samples_per_second": plain_rate,
        "training_gflops": plain / 1e9,
        "training_with_redraw_samples_per_second": drawn_rate,
        "training_with_redraw_gflops": drawn / 1e9,
    }


def render(figures: dict) -> str:
    peak = figures["peak_gflops"]
    rows = [
        ("GEMM 2048x2048, float32, XLA (the peak)", peak),
        (f"the step's six GEMMs alone, batch {BATCH}", figures["network_gemms_gflops"]),
        ("training epochs, digits as written", figures["training_gflops"]),
        ("training epochs, half redrawn beside", figures["training_with_redraw_gflops"]),
    ]
    lines = ["| what | GFLOP/s | share of peak |", "|---|---|---|"]
    lines += [f"| {what} | {value:.1f} | {value / peak:.0%} |" for what, value in rows]
    step = figures["training_ms_per_step"]
    parts = [
        ("the six GEMMs", figures["network_gemms_ms_per_step"]),
        ("Adam's update", figures["adam_ms_per_step"]),
    ]
    alone = sum(ms for _, ms in parts)
    if alone <= step:
        parts.append(("the rest (biases, ReLU, loss, metrics, the loop)", step - alone))
    lines += ["", f"| one training step, batch {BATCH} | ms | share |", "|---|---|---|"]
    lines += [f"| {what} | {ms:.2f} | {ms / step:.0%} |" for what, ms in parts]
    lines.append(f"| the whole step | {step:.2f} | 100% |")
    if alone > step:
        lines.append(
            f"\nThe parts, each timed alone in calls of its own, add up to {alone:.2f} ms, more "
            "than the whole step: inside one compiled loop XLA overlaps and fuses them."
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    figures = measure()
    print(json.dumps(figures, indent=2) if args.json else render(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
