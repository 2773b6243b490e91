"""Pictures of a model: training curves, the confusion matrix, the most confident mistakes.

Every picture is a PNG drawn by matplotlib's Agg backend (no display needed). matplotlib is
imported inside the functions: importing this module costs nothing until a picture is made.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

CURVES_FILE = "curves.png"
CONFUSION_FILE = "confusion.png"
MISTAKES_FILE = "mistakes.png"
RELIABILITY_FILE = "reliability.png"
MISTAKES_LIMIT = 24  # four rows of six: enough to see a pattern, small enough to read
MISTAKES_COLUMNS = 6
DPI = 120

TRAIN_COLOUR = "#1f77b4"
VALIDATION_COLOUR = "#ff7f0e"
BEST_COLOUR = "#2ca02c"
WRONG_COLOUR = "#d62728"


def _pyplot():
    """matplotlib's pyplot on the Agg backend, imported on first use."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _save(figure, path: Path) -> None:
    # format is explicit: atomic writes hand us temporary names without a .png suffix.
    figure.savefig(path, format="png", dpi=DPI, facecolor="white")
    _pyplot().close(figure)


def save_curves(history: dict[str, list[float]], best_epoch: int, path: Path) -> None:
    """Loss and accuracy per epoch, training and validation, with the kept epoch marked."""
    plt = _pyplot()
    epochs = np.arange(1, len(history["loss"]) + 1)
    figure, (loss_axes, accuracy_axes) = plt.subplots(1, 2, figsize=(10, 4), layout="constrained")
    for axes, key, title in ((loss_axes, "loss", "Loss"), (accuracy_axes, "accuracy", "Accuracy")):
        scale = 100 if key == "accuracy" else 1
        for prefix, label, colour in (
            ("", "training", TRAIN_COLOUR),
            ("val_", "validation", VALIDATION_COLOUR),
        ):
            values = np.asarray(history.get(prefix + key, []), dtype=float) * scale
            if len(values) and not np.isnan(values).all():
                axes.plot(epochs, values, marker="o", markersize=3, color=colour, label=label)
        if 1 <= best_epoch <= len(epochs):
            axes.axvline(
                best_epoch,
                color=BEST_COLOUR,
                linestyle="--",
                linewidth=1,
                label=f"kept: epoch {best_epoch}",
            )
        axes.set_title(title)
        axes.set_xlabel("epoch")
        axes.set_ylabel(f"{key} (%)" if scale == 100 else key)
        axes.xaxis.get_major_locator().set_params(integer=True)
        axes.grid(alpha=0.3)
        axes.legend()
    best = _best_value(history, best_epoch)
    if best is not None:
        name, value = best
        accuracy_axes.plot(
            best_epoch, value * 100, marker="*", markersize=14, color=BEST_COLOUR, zorder=5
        )
        accuracy_axes.annotate(
            f"{name} {value * 100:.2f}%",
            (best_epoch, value * 100),
            textcoords="offset points",
            xytext=(-8, -22),
            ha="right",
            color=BEST_COLOUR,
            bbox={"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": "none"},
            zorder=6,
        )
    _save(figure, path)


def _best_value(history: dict[str, list[float]], best_epoch: int) -> tuple[str, float] | None:
    """The accuracy that picked the kept epoch: validation, or training when none was held out."""
    for key, name in (("val_accuracy", "validation"), ("accuracy", "training")):
        values = history.get(key, [])
        if 1 <= best_epoch <= len(values) and not math.isnan(values[best_epoch - 1]):
            return name, float(values[best_epoch - 1])
    return None


def save_confusion(matrix, path: Path) -> None:
    """The 10x10 confusion matrix: counts in every cell; correct ones green, mistakes red.

    Mistakes are shaded against the largest mistake, not the diagonal: on a good model the
    diagonal is a hundred times larger and would wash every mistake out to white.
    """
    plt = _pyplot()
    from matplotlib.colors import ListedColormap
    from matplotlib.ticker import MaxNLocator

    matrix = np.asarray(matrix, dtype=np.int64)
    size = len(matrix)
    diagonal = np.eye(size, dtype=bool)
    total = int(matrix.sum())
    correct = int(matrix[diagonal].sum())
    supports = matrix.sum(axis=1)
    recall = np.divide(matrix.diagonal(), supports, out=np.zeros(size), where=supports > 0)
    worst = max(int(matrix[~diagonal].max(initial=0)), 1)

    figure, axes = plt.subplots(figsize=(7, 6.2), layout="constrained")
    axes.imshow(np.ones_like(matrix), cmap=ListedColormap(["white"]), vmin=0, vmax=1)
    axes.imshow(
        np.ma.masked_where(~diagonal, recall[:, None] * np.ones(size)),
        cmap="Greens",
        vmin=0,
        vmax=1.25,
    )
    errors = axes.imshow(
        np.ma.masked_where(diagonal | (matrix == 0), matrix), cmap="Reds", vmin=0, vmax=worst
    )
    for row in range(size):
        for column in range(size):
            count = int(matrix[row, column])
            strong = (row == column and recall[row] > 0.6) or (
                row != column and count > worst * 0.6
            )
            axes.text(
                column,
                row,
                str(count),
                ha="center",
                va="center",
                fontsize=9,
                color="white" if strong else ("#999999" if count == 0 else "black"),
                fontweight="bold" if row == column else "normal",
            )
    ticks = np.arange(size)
    axes.set_xticks(ticks)
    axes.set_yticks(ticks)
    axes.set_xlabel("predicted digit")
    axes.set_ylabel("true digit")
    axes.xaxis.set_label_position("top")
    axes.xaxis.tick_top()
    accuracy = f"{correct / total * 100:.2f}% of {total:,} correct" if total else "no images"
    axes.set_title(f"Confusion matrix: {accuracy}", pad=12)
    colorbar = figure.colorbar(errors, ax=axes, shrink=0.8, label="mistakes per cell")
    colorbar.locator = MaxNLocator(integer=True)
    colorbar.update_ticks()
    _save(figure, path)


def save_mistakes(
    images: np.ndarray,
    labels: np.ndarray,
    probabilities: np.ndarray,
    path: Path,
    limit: int = MISTAKES_LIMIT,
) -> int:
    """A grid of the `limit` most confidently wrong images; returns how many it shows."""
    plt = _pyplot()
    labels = np.asarray(labels, dtype=np.int64)
    predicted = probabilities.argmax(axis=1)
    confidence = probabilities.max(axis=1)
    wrong = np.count_nonzero(predicted != labels)
    shown = most_confident_mistakes(labels, probabilities, limit)

    columns = min(MISTAKES_COLUMNS, max(len(shown), 1))
    rows = max(math.ceil(len(shown) / columns), 1)
    figure, grid = plt.subplots(
        rows,
        columns,
        figsize=(1.6 * columns + 0.4, 1.9 * rows + 0.6),
        squeeze=False,
        layout="constrained",
    )
    for axes in grid.flat:
        axes.axis("off")
    for axes, index in zip(grid.flat, shown, strict=False):
        axes.imshow(images[index], cmap="gray", vmin=0, vmax=255, interpolation="nearest")
        axes.set_title(
            f"true {labels[index]}  said {predicted[index]}\n{_sure(confidence[index])} sure",
            fontsize=9,
            color=WRONG_COLOUR,
        )
    if len(shown):
        title = f"The {len(shown)} most confident of {wrong:,} mistakes in {len(labels):,} images"
    else:
        title = f"No mistakes in {len(labels):,} images"
        grid[0, 0].text(0.5, 0.5, "no mistakes", ha="center", va="center", fontsize=12)
    figure.suptitle(title, fontsize=11)
    _save(figure, path)
    return len(shown)


def most_confident_mistakes(
    labels: np.ndarray, probabilities: np.ndarray, limit: int
) -> np.ndarray:
    """Indices of up to `limit` wrong predictions, the most confident first."""
    predicted = probabilities.argmax(axis=1)
    wrong = np.flatnonzero(predicted != np.asarray(labels))
    order = np.argsort(-probabilities.max(axis=1)[wrong], kind="stable")
    return wrong[order][: max(limit, 0)]


def _sure(confidence: float) -> str:
    """A percentage with as many decimals as it takes not to read 100%."""
    for decimals in range(1, 5):
        text = f"{confidence * 100:.{decimals}f}"
        if float(text) < 100:
            return text + "%"
    return ">99.9999%"


def save_reliability(probabilities: np.ndarray, labels: np.ndarray, path: Path) -> None:
    """The reliability diagram: per 15 confidence bins, accuracy against mean confidence, with
    the diagonal a calibrated model follows and the share of images in each bin below."""
    from digitcli.reports.evaluate import ECE_BINS, expected_calibration_error, reliability

    plt = _pyplot()
    confidence = probabilities.max(axis=1)
    correct = probabilities.argmax(axis=1) == np.asarray(labels)
    rows = reliability(confidence, correct)  # (mean confidence, accuracy, count), filled bins
    bins = ECE_BINS
    edges = np.linspace(0, 1, bins + 1)
    mean = np.array([row[0] for row in rows])
    accuracy = np.array([row[1] for row in rows])
    where = np.clip(np.ceil(mean * bins).astype(int) - 1, 0, bins - 1)  # each row's bin
    count = np.zeros(bins)
    count[where] = [row[2] for row in rows]
    figure, (top, bottom) = plt.subplots(
        2, 1, figsize=(5.5, 6), height_ratios=(3, 1), sharex=True, layout="constrained"
    )
    top.bar(edges[where], accuracy, width=1 / bins, align="edge",
            color=TRAIN_COLOUR, edgecolor="white", label="accuracy")  # fmt: skip
    top.bar(edges[where], mean - accuracy, bottom=accuracy,
            width=1 / bins, align="edge", fill=False, hatch="///", edgecolor=WRONG_COLOUR,
            label="gap to the mean confidence")  # fmt: skip
    top.plot([0, 1], [0, 1], color="black", linestyle="--", linewidth=1, label="calibrated")
    top.set_ylim(0, 1)
    top.set_ylabel("accuracy")
    ece = expected_calibration_error(confidence, correct)
    top.set_title(f"Reliability: ECE {ece:.4f} over {len(confidence):,} images")
    top.legend(loc="upper left")
    bottom.bar(edges[:-1], count / max(count.sum(), 1), width=1 / bins, align="edge",
               color="#888888", edgecolor="white")  # fmt: skip
    bottom.set_yscale("log")
    bottom.set_xlim(0, 1)
    bottom.set_xlabel("confidence of the top answer")
    bottom.set_ylabel("share")
    _save(figure, path)


def save_training_pictures(
    model_dir: Path, history: dict[str, list[float]], best_epoch: int, confusion_matrix
) -> list[Path]:
    """Write curves.png and confusion.png (of the test set) into `model_dir`; return their paths."""
    model_dir = Path(model_dir)
    curves, confusion = model_dir / CURVES_FILE, model_dir / CONFUSION_FILE
    save_curves(history, best_epoch, curves)
    save_confusion(confusion_matrix, confusion)
    return [curves, confusion]
