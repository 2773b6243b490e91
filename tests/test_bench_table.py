"""`bench/perf/run.py --readme` brings docs/performance.md's table up to date in place, and the
README's
summary of it; the README's summary must be the one the full table gives."""

import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO / "bench" / kind) for kind in (".", "build", "checks", "perf")]

import readme_table  # noqa: E402

TABLE = f"""# Title

Some text.

{readme_table.HEADER}
|---|---|---|---|---|---|
| start-up | import 3.1s | 0.05s | 0.05s | <= 0.3s | yes |
|   the same, cold | 4.0s | 0.15s | 0.04x | <= 0.1x | yes |
| train mlp | 56.2s | 30.5s | 0.54x | <= 0.4x | NO |

- **Training**: prose that follows the table.
"""


@pytest.mark.parametrize("padding", ["", "  "], ids=["as written", "padded by hand"])
def test_a_measured_row_replaces_its_own_and_the_others_stay(padding: str) -> None:
    old = f"| train mlp{padding} | 56.2s | 30.5s | 0.54x | <= 0.4x | NO |"
    row = "| train mlp | 63.1s | 21.4s | 0.34x | <= 0.4x | yes |"
    text = TABLE.replace("| train mlp | 56.2s | 30.5s | 0.54x | <= 0.4x | NO |", old)
    assert readme_table.merged(text, [row]) == text.replace(old, row)


def test_an_indented_row_is_matched_and_a_new_measure_goes_to_the_end() -> None:
    cold = "|   the same, cold | 3.8s | 0.14s | 0.04x | <= 0.1x | yes |"
    extra = "| evaluate | 0.5s | 0.09s | 0.09s | < 2s | yes |"
    lines = readme_table.merged(TABLE, [extra, cold]).splitlines()
    rows = [line for line in lines if line.startswith("| ") and line != readme_table.HEADER]
    assert rows[1] == cold
    assert rows[-1] == extra and len(rows) == 4
    assert lines[-1] == "- **Training**: prose that follows the table."


def test_text_without_the_table_is_refused() -> None:
    with pytest.raises(ValueError, match="one table"):
        readme_table.merged("# no table here\n", ["| a | b | c | d | e | yes |"])


def test_the_performance_page_has_the_table_once_with_each_measure_once() -> None:
    text = (REPO / "docs" / "performance.md").read_text(encoding="utf-8")
    assert readme_table.merged(text, []) == text
    lines = text.splitlines()
    start = lines.index(readme_table.HEADER) + 2
    rows = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        rows.append(readme_table.measure(line))
    assert len(set(rows)) == len(rows)
    assert set(readme_table.SUMMARY) <= set(rows)


def test_the_readmes_summary_is_current() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    performance = (REPO / "docs" / "performance.md").read_text(encoding="utf-8")
    assert readme_table.with_summary(readme, performance) == readme, "run: make bench"


def test_the_summary_takes_its_rows_from_the_full_table_in_its_own_order() -> None:
    full = TABLE.replace("| train mlp |", "| train mlp, 18 epochs: time |").replace(
        "| start-up |", "| start-up: digitcli --help |"
    )
    short = readme_table.summary(full).splitlines()
    assert short[:2] == [readme_table.HEADER, readme_table.RULE]
    assert [readme_table.measure(line) for line in short[2:]] == [
        "start-up: digitcli --help",
        "train mlp, 18 epochs: time",
    ]
    assert len(readme_table.SUMMARY) <= 10


def test_a_readme_without_the_markers_is_refused() -> None:
    with pytest.raises(ValueError, match="markers"):
        readme_table.with_summary("# no markers\n", TABLE)


def test_update_rewrites_both_files(tmp_path) -> None:
    performance = tmp_path / "performance.md"
    performance.write_text(TABLE.replace("| start-up |", "| start-up: digitcli --help |"))
    readme = tmp_path / "README.md"
    readme.write_text(f"# R\n\n{readme_table.BEGIN}\nold\n{readme_table.END}\n\nafter\n")
    row = "| start-up: digitcli --help | import 3.0s | 0.06s | 0.06s | <= 0.3s | yes |"
    readme_table.update(performance, readme, [row])
    assert row in performance.read_text(encoding="utf-8").splitlines()
    text = readme.read_text(encoding="utf-8")
    assert row in text.splitlines() and "old" not in text and text.endswith("after\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["README.md", "performance.md"]
