"""One source for the README's figures: each figure it states (outside its examples' output and
the summary `make bench` writes) is in bench/figures/readme.json, with the version it
was measured on and the command that measures it."""

from __future__ import annotations

import json
import re
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "bench" / "figures" / "readme.json"
FIGURE = re.compile(
    r"(?<![\w.])\d[\d,]*(?:\.\d+)?(?:-\d[\d,]*(?:\.\d+)?)?"
    r"(?:%| ?(?:ms|s|min)\b| (?:requests|numbers|images|files) a second)"
)


def stated_figures(text: str) -> list[str]:
    """The figures of the README's prose and tables: not of its code blocks (what a command
    printed once) nor of the summary block make bench writes (tests/test_docs.py checks it)."""
    text = re.sub(r"```.*?```", "", text, flags=re.S)
    text = re.sub(r"<!-- summary of docs/performance.md.*?<!-- end of the summary -->", "", text,
                  flags=re.S)  # fmt: skip
    return [match.group() for match in FIGURE.finditer(text)]


def test_every_figure_the_readme_states_is_in_the_results_file() -> None:
    held = {entry["figure"] for entry in json.loads(RESULTS.read_text())["figures"]}
    stated = stated_figures((REPO / "README.md").read_text())
    assert stated, "no figures found: the pattern no longer matches the README"
    assert sorted(set(stated) - held) == []


def test_each_figure_says_its_version_and_command() -> None:
    for entry in json.loads(RESULTS.read_text())["figures"]:
        assert re.fullmatch(r"\d+\.\d+(\.\d+|\.x)", entry["version"]), entry
        assert entry["what"] and entry["source"], entry


def test_the_pattern_finds_what_it_should() -> None:
    text = "about 20 s, 99.1% and 391 requests a second\n```\ntrain_seconds 156 s\n```\n(0.9.1)"
    assert stated_figures(text) == ["20 s", "99.1%", "391 requests a second"]
