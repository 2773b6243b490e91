"""Every output format of `predict` and `read` (JSON, JSON lines, CSV, plain) writes the one
answer type byte for byte as the CLI wrote it before the API's twin types were merged into it:
tests/fixtures/answer_formats.txt was written by digitcli 0.9.1, through the twin types it had
(issue 88 item 4)."""

from __future__ import annotations

import digitcli
from digitcli.terminal.formats import Shown, render_predictions, render_readings

from conftest import REPO

INFO = digitcli.ModelInfo("bundled", "bundled/", True)
P, R, D = digitcli.Prediction, digitcli.Reading, digitcli.Digit
PREDICTIONS = [
    P("a.png", 7, 0.92, ((7, 0.92), (1, 0.05), (4, 0.01)), model=INFO),
    P("b.png", None, 0.41, ((3, 0.41), (8, 0.4)),
      note="confidence 0.410 is below the threshold 0.9", model=INFO),
    P("c.png", error="no such file"),
    P('d, "q".png', None, note="no digit found: the image is blank", model=INFO),
]  # fmt: skip
LINES = (
    R("", "12", 0.9, (D(1, 0.95, (0, 0, 5, 9)), D(2, 0.94, (6, 0, 11, 9))), box=(0, 0, 11, 9),
      text="12"),
    R("", None, None, (), note="no digit found", box=(0, 20, 11, 29)),
)  # fmt: skip
READINGS = [
    R("a.png", "18056", 0.8, (D(1, 0.9, (0, 0, 1, 1)),), model=INFO, text="18.056"),
    R("b.png", note="found 2 lines: 12, -", lines=LINES, model=INFO),
    R("c.png", error="not an image"),
]


def test_every_format_writes_what_it_wrote_before(capsys):
    written = []
    for fmt in ("json", "jsonl", "csv", "plain"):
        answered_by = INFO.to_json() if fmt.startswith("json") else None
        shown = Shown(fmt, quiet=True, answered_by=answered_by)
        print(f"== predict {fmt}")
        render_predictions(iter(PREDICTIONS), shown, 3)
        print(f"== read {fmt}")
        render_readings(iter(READINGS), shown)
        written.append(capsys.readouterr().out)
    expected = (REPO / "tests" / "fixtures" / "answer_formats.txt").read_text()
    assert "".join(written) == expected
