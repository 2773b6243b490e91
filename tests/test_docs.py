"""The README and docs/ against the app: generated pages current, links resolving, the changelog's
version the one digitcli reports, and the README's examples answering as shown."""

from __future__ import annotations

import json
import re
import shlex
import sys
from pathlib import Path

import numpy as np
import pytest

from inprocess import digitcli

REPO = Path(__file__).resolve().parent.parent
DOCS = REPO / "docs"
README = REPO / "README.md"
sys.path.insert(0, str(DOCS))

from make_commands import TARGET, reference  # noqa: E402

PAGES = [README, REPO / "CHANGELOG.md", *sorted(DOCS.glob("*.md"))]
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")


# Pages other branches add, linked from here before they land; a link to one resolves once it does.
def test_the_command_reference_is_current():
    assert TARGET.read_text() == reference(), "run: make docs"


def relative_links(page: Path) -> list[str]:
    """The targets of `page`'s Markdown links and images that point into the repository."""
    text = re.sub(r"```.*?```", "", page.read_text(encoding="utf-8"), flags=re.DOTALL)
    targets = [target.split("#", 1)[0] for target in LINK.findall(text)]
    return [t for t in targets if t and not re.match(r"[a-z][a-z0-9+.-]*:", t)]


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_every_relative_link_resolves(page: Path):
    broken = [target for target in relative_links(page) if not (page.parent / target).exists()]
    assert broken == []


def test_the_readme_links_every_docs_page():
    linked = {(REPO / target).resolve() for target in relative_links(README)}
    pages = {page.resolve() for page in DOCS.glob("*.md")}
    assert sorted(p.name for p in pages - linked) == []


def test_the_changelogs_newest_version_is_the_one_digitcli_reports():
    versions = re.findall(r"^## \[(\d+\.\d+\.\d+)\]", (REPO / "CHANGELOG.md").read_text(), re.M)
    done = digitcli("--version", text=True)
    assert done.stdout.split() == ["digitcli", versions[0]]
    assert versions[0] != "0.1.0"


def shown(command: str) -> tuple[list[str], str]:
    """The README's `$ COMMAND` as words, and the output the README shows under it."""
    text = README.read_text(encoding="utf-8")
    output = text.split(f"$ {command}\n", 1)[1].split("\n$ ", 1)[0].split("```", 1)[0]
    return shlex.split(command), output


def run_from_the_repository(words: list[str], tmp_path: Path, code: int = 0) -> str:
    """`words` run as a user runs them in a fresh clone, answered by the bundled model; `code`
    the exit code the README documents for it."""
    args = [word for pattern in words[1:] for word in _expanded(pattern)]
    done = digitcli(
        *args, cwd=REPO, env={"DIGITCLI_MODELS": str(tmp_path / "no-models")}, text=True
    )
    assert done.returncode == code, done.stderr
    return done.stdout


def _expanded(word: str) -> list[str]:
    return sorted(str(p.relative_to(REPO)) for p in REPO.glob(word)) if "*" in word else [word]


def test_the_readme_predict_example_answers_as_shown(tmp_path: Path):
    words, output = shown("digitcli predict docs/examples/*.png --format jsonl")
    fields = ("file", "digit", "note")
    expected = [
        {k: v for k, v in json.loads(line).items() if k in fields}
        for line in output.split("\n")
        if line
    ]
    answers = run_from_the_repository(words, tmp_path, code=3).splitlines()  # form.png: several
    got = [{k: v for k, v in json.loads(line).items() if k in fields} for line in answers]
    assert got == expected


def test_the_readme_read_example_answers_as_shown(tmp_path: Path):
    words, output = shown(
        "digitcli read docs/examples/form.png docs/examples/tight.jpg --format plain"
    )
    assert run_from_the_repository(words, tmp_path) == output


def test_the_deploying_pages_minimal_preparation_reads_the_examples():
    text = (DOCS / "deploying.md").read_text(encoding="utf-8")
    (block,) = [b.split("```")[0] for b in text.split("```python\n")[1:] if "def mnist_like" in b]
    namespace: dict = {}
    exec(block, namespace)
    from digitcli.models.runtimes import load_runtime, resolve_model

    runtime = load_runtime(resolve_model(REPO / "digitcli" / "models" / "pretrained"))
    pictures = [DOCS / "examples" / name for name in ("drawing.png", "scan.jpg")]
    images = [namespace["mnist_like"](str(path)) for path in pictures]
    assert [image.shape for image in images] == [(28, 28)] * 2
    assert runtime.predict(np.stack(images)).argmax(axis=1).tolist() == [4, 4]
