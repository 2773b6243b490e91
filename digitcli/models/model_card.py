"""The model card written beside every export: what the artifact takes and gives, in words.

A person deploying `model.tflite` reads this before writing a client; the same facts are
inside the artifact (see `export.py`) for programs.
"""

from __future__ import annotations

from pathlib import Path

from digitcli.core.version import VERSION as __version__
from digitcli.models.modeldir import (
    INPUT_NAME,
    LABELS,
    LABELS_FILE,
    MANIFEST_FILE,
    MODEL_CARD_FILE,
    OUTPUT_NAME,
    Metadata,
)

WHERE_IT_SAYS = {  # where each kind of artifact carries its manifest
    "keras": f"`{MANIFEST_FILE}` and `{LABELS_FILE}` inside the .keras zip archive",
    "tflite": f"`{MANIFEST_FILE}` and `{LABELS_FILE}` as associated files (a zip archive "
    "appended to the flatbuffer, as TFLite metadata packs them; `zipfile` reads it)",
    "onnx": "metadata_props `input`, `labels` and `digitcli` (JSON), and the model's doc_string",
    "savedmodel": f"`assets.extra/{MANIFEST_FILE}` and `assets.extra/{LABELS_FILE}`; the "
    f"`serving_default` signature takes `{INPUT_NAME}` and gives `{OUTPUT_NAME}`",
}


CARD_SUFFIX = ".card.md"  # a file's card: `model.onnx` -> `model.onnx.card.md` beside it


def card_path(target: Path, *, directory: bool) -> Path:
    """The card of the export `target`: the file's whole name and `.card.md` beside it
    (`model.onnx.card.md`, `model-int8.tflite.card.md`); a directory holds `model-card.md`."""
    if directory:
        return target / MODEL_CARD_FILE
    return target.with_name(f"{target.name}{CARD_SUFFIX}")


def model_card(result, metadata: Metadata | None) -> str:
    """The card for the export `result` (an `ExportResult`) of a model with `metadata`."""
    convention = result.input
    low, high = (f"{v:g}" for v in convention.range)
    kind = "tflite" if result.format.startswith("tflite") else result.format
    lines = [
        f"# {result.path.name}: handwritten digit classifier ({result.format})",
        "",
        "## Input",
        f"- `{INPUT_NAME}`: {convention.dtype}, shape (batch, "
        f"{', '.join(str(d) for d in convention.shape)}); one grey image per row.",
        f"- Values {low} to {high}: {low} is black, {high} is white. Raw pixels: do **not** "
        "scale to 0-1 (a 0-1 image looks blank to this model).",
        f"- {convention.polarity.capitalize()}, MNIST-style: {convention.preprocessing}.",
        *_deskew_line(metadata),
        "",
        "## Output",
        *_output_lines(convention.dtype, _labels(metadata)),
        "",
        "## Inside the artifact",
        f"- {WHERE_IT_SAYS[kind]}.",
        "",
        "## Provenance",
        *_provenance(result, metadata),
    ]
    return "\n".join(lines) + "\n"


def _output_lines(input_dtype: str, labels: tuple[str, ...]) -> list[str]:
    """What the output holds: float probabilities, or for a fully integer model (uint8 in)
    uint8 steps of 1/256 (LiteRT's output details give the scale and zero point too)."""
    order = f"labels in order: {', '.join(labels)}."
    if input_dtype == "uint8":
        return [
            f"- `{OUTPUT_NAME}`: uint8, shape (batch, {len(labels)}), quantised with scale 1/256 "
            "and zero point 0: position i holds label i's probability times 256 (value / 256 is "
            f"the probability; 255 is the most it says); {order}"
        ]
    return [
        f"- `{OUTPUT_NAME}`: float, shape (batch, {len(labels)}); position i is the "
        f"probability of label i; {order}"
    ]


def _labels(metadata: Metadata | None) -> tuple[str, ...]:
    return metadata.labels if metadata else LABELS


def _provenance(result, metadata: Metadata | None) -> list[str]:
    lines = [f"- Exported by digitcli {__version__} from `{result.source}`."]
    if metadata is not None:
        accuracy = metadata.metrics.get("test_accuracy")
        trained = f"- Architecture {metadata.arch}, trained on {metadata.data.get('source', '?')}"
        lines.append(trained + (f"; test accuracy {accuracy:.2%}." if accuracy else "."))
    if result.verified:
        lines.append(
            f"- Verified on {result.samples} test images: accuracy {result.accuracy:.2%} "
            f"(source {result.source_accuracy:.2%}), same answer as the source on "
            f"{result.agreement:.2%}."
        )
    else:
        lines.append("- Not verified (exported with --no-verify).")
    return lines


def _deskew_line(metadata: Metadata | None) -> list[str]:
    if metadata is None or not metadata.config.deskew:
        return []
    return ["- The model takes each digit's slant out itself (a shear, its first layer): feed it "
            "digits as they are written, not deskewed."]  # fmt: skip
