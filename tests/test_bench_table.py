"""`bench/run.py --readme` brings the README's Performance table up to date in place."""

import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))

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


def test_the_readme_has_the_table_once_with_each_measure_once() -> None:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    assert readme_table.merged(text, []) == text
    lines = text.splitlines()
    start = lines.index(readme_table.HEADER) + 2
    rows = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        rows.append(readme_table.measure(line))
    assert len(rows) > 10 and len(set(rows)) == len(rows)


def test_update_rewrites_the_file(tmp_path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(TABLE, encoding="utf-8")
    row = "| start-up | import 3.0s | 0.06s | 0.06s | <= 0.3s | yes |"
    readme_table.update(readme, [row])
    assert row in readme.read_text(encoding="utf-8").splitlines()
    assert [p.name for p in tmp_path.iterdir()] == ["README.md"]
