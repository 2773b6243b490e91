"""An evaluation as a folder: the pictures, and one HTML page that needs nothing else.

`write_report(directory, evaluation, predictions)` writes confusion.png, mistakes.png,
curves.png (when the model is a trained directory with its history) and report.html, which
holds the tables and the same pictures embedded as data: URIs, so it can be mailed or attached
to a CI run on its own.
"""

from __future__ import annotations

import base64
import html
from datetime import datetime, timezone
from pathlib import Path

from digitcli.core.atomic import FILE, REPORT, atomic_output, check_writable
from digitcli.core.errors import UsageError
from digitcli.core.version import VERSION as __version__
from digitcli.models.modeldir import Metadata, is_model_dir, read_metadata
from digitcli.reports.evaluate import Evaluation, Predictions
from digitcli.reports.plots import (
    CONFUSION_FILE,
    CURVES_FILE,
    MISTAKES_FILE,
    RELIABILITY_FILE,
    save_confusion,
    save_curves,
    save_mistakes,
    save_reliability,
)

REPORT_FILE = "report.html"

STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem auto;
       max-width: 72rem; padding: 0 1rem; color: #222; background: #fff; }
h1 { font-size: 1.6rem; margin-bottom: 0.2rem; } h2 { font-size: 1.2rem; margin-top: 2rem; }
.meta { color: #666; margin-top: 0; }
table { border-collapse: collapse; margin: 0.5rem 0; font-variant-numeric: tabular-nums; }
th, td { border: 1px solid #ddd; padding: 0.25rem 0.6rem; text-align: right; }
th { background: #f4f4f4; } td.text { text-align: left; }
td.correct { background: #1a7f37; color: #fff; font-weight: bold; }
td.zero { color: #bbb; }
.accuracy { font-size: 1.1rem; font-weight: bold; color: #1a7f37; }
img { max-width: 100%; height: auto; border: 1px solid #eee; } img.narrow { max-width: 44rem; }
table.confusion th, table.confusion td { padding: 0.2rem 0.4rem; }
.tables { display: flex; flex-wrap: wrap; gap: 0 3rem; align-items: flex-start; }
"""


def check_outputs(mistakes: Path | None, report: Path | None, *, force: bool = False) -> None:
    """Refuse before any work: a mistakes file that is not .png, or an output in the way."""
    if mistakes is not None and mistakes.suffix.lower() != ".png":
        raise UsageError(f"{mistakes}: --save-mistakes writes a PNG; name it something.png")
    for path, kind in ((mistakes, FILE), (report, REPORT)):
        if path is not None:
            check_writable(path, force=force, kind=kind)


def save_mistakes_file(path: Path, predictions: Predictions, *, force: bool = False) -> int:
    """Write the mistakes grid to `path` whole or not at all; return how many images it shows."""
    with atomic_output(Path(path), force=force, kind=FILE) as staging:
        return save_mistakes(
            predictions.images, predictions.labels, predictions.probabilities, staging
        )


def save_report(
    directory: Path, evaluation: Evaluation, predictions: Predictions, *, force: bool = False
) -> Path:
    """Write the report folder whole or not at all; return the path of its report.html."""
    directory = Path(directory)
    with atomic_output(directory, force=force, directory=True, kind=REPORT) as staging:
        write_report(staging, evaluation, predictions)
    return directory / REPORT_FILE


def write_report(directory: Path, evaluation: Evaluation, predictions: Predictions) -> list[Path]:
    """Write the pictures and report.html into `directory`; return the files written."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    pictures: dict[str, Path] = {}
    metadata = _metadata(Path(evaluation.model))
    history = metadata.history if metadata else None
    if history and history.get("loss"):
        best_epoch = int(metadata.metrics.get("best_epoch") or 0)
        save_curves(history, best_epoch, directory / CURVES_FILE)
        pictures["curves"] = directory / CURVES_FILE
    save_confusion(evaluation.confusion_matrix, directory / CONFUSION_FILE)
    pictures["confusion"] = directory / CONFUSION_FILE
    shown = save_mistakes(
        predictions.images,
        predictions.labels,
        predictions.probabilities,
        directory / MISTAKES_FILE,
    )
    pictures["mistakes"] = directory / MISTAKES_FILE
    save_reliability(predictions.probabilities, predictions.labels, directory / RELIABILITY_FILE)
    pictures["reliability"] = directory / RELIABILITY_FILE
    page = directory / REPORT_FILE
    page.write_text(report_html(evaluation, pictures, shown=shown), encoding="utf-8")
    return [*pictures.values(), page]


def report_html(evaluation: Evaluation, pictures: dict[str, Path], *, shown: int = 0) -> str:
    """The page: overall scores, per-digit table, confusion matrix, and the pictures inline."""
    title = f"digitcli evaluation of {evaluation.model}"
    created = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(title)}</title><style>{STYLE}</style></head><body>",
        f"<h1>{_e(title)}</h1>",
        f'<p class="meta">digitcli {_e(__version__)} · {created}</p>',
        "<h2>Test set</h2>",
        _overall_table(evaluation),
    ]
    if "curves" in pictures:
        parts += ["<h2>Training</h2>", _image(pictures["curves"], "training curves")]
    parts += [
        '<div class="tables"><div>',
        "<h2>Per digit</h2>",
        _per_digit_table(evaluation),
        "</div><div>",
        "<h2>Confusion matrix</h2>",
        _confusion_table(evaluation.confusion_matrix),
        "<p>Rows are true digits, columns predicted.</p>",
        "</div></div>",
    ]
    if "mistakes" in pictures:
        what = f"The {shown} most confident mistakes" if shown else "No mistakes"
        parts += [f"<h2>{what}</h2>", _image(pictures["mistakes"], "most confident mistakes")]
    if "reliability" in pictures:
        parts += [
            "<h2>Calibration</h2>",
            f"<p>Expected calibration error (15 bins): {evaluation.ece:.4f}. A calibrated model's "
            "bars reach the diagonal: of the digits it is 90% sure of, 90% are right.</p>",
            _image(pictures["reliability"], "reliability diagram", narrow=True),
        ]
    parts += [
        "<h2>Confusion matrix, drawn</h2>",
        _image(pictures["confusion"], "confusion matrix", narrow=True),
    ]
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _e(value: object) -> str:
    return html.escape(str(value))


def _metadata(path: Path) -> Metadata | None:
    """A trained model directory's metadata, for its history; None for anything else."""
    return read_metadata(path) if is_model_dir(path) else None


def _image(path: Path, alt: str, *, narrow: bool = False) -> str:
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    size = ' class="narrow"' if narrow else ""
    return f'<p><img{size} alt="{_e(alt)}" src="data:image/png;base64,{data}"></p>'


def _row(cells: list[str], tag: str = "td") -> str:
    return "<tr>" + "".join(f"<{tag}>{cell}</{tag}>" for cell in cells) + "</tr>"


def _overall_table(evaluation: Evaluation) -> str:
    head = _row(["model", "runtime", "images", "accuracy", "loss", "ECE", "seconds"], "th")
    body = (
        f'<tr><td class="text">{_e(evaluation.model)}</td>'
        f'<td class="text">{_e(evaluation.runtime)}</td>'
        f"<td>{evaluation.samples:,}</td>"
        f'<td class="accuracy">{evaluation.accuracy * 100:.2f}%</td>'
        f"<td>{evaluation.loss:.4f}</td><td>{evaluation.ece:.4f}</td>"
        f"<td>{evaluation.seconds:.2f}</td></tr>"
    )
    return f"<table>{head}{body}</table>"


def _per_digit_table(evaluation: Evaluation) -> str:
    rows = [_row(["digit", "precision", "recall", "f1", "support"], "th")]
    for score in evaluation.per_class:
        rows.append(
            _row(
                [
                    str(score.digit),
                    f"{score.precision:.4f}",
                    f"{score.recall:.4f}",
                    f"{score.f1:.4f}",
                    f"{score.support:,}",
                ]
            )
        )
    return "<table>" + "".join(rows) + "</table>"


def _confusion_table(matrix) -> str:
    """Cells shaded like the terminal's table: mistakes redder the more there are."""
    size = len(matrix)
    worst = max((int(matrix[i][j]) for i in range(size) for j in range(size) if i != j), default=0)
    rows = [_row(["true \\ predicted", *(str(d) for d in range(size))], "th")]
    for i in range(size):
        cells = [f"<th>{i}</th>"]
        for j in range(size):
            count = int(matrix[i][j])
            if i == j:
                cells.append(f'<td class="correct">{count}</td>')
            elif count == 0:
                cells.append('<td class="zero">0</td>')
            else:
                strength = count / (worst or 1)
                alpha = 0.15 + 0.85 * strength
                colour = "#fff" if strength > 0.6 else "#222"
                style = f"background: rgba(214, 39, 40, {alpha:.2f}); color: {colour}"
                cells.append(f'<td style="{style}">{count}</td>')
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return '<table class="confusion">' + "".join(rows) + "</table>"
