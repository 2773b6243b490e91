import pytest

from digitcli.atomic import atomic_output, exclusive
from digitcli.errors import OutputExistsError


def test_directory_appears_whole_on_success(tmp_path):
    target = tmp_path / "out"
    with atomic_output(target, directory=True) as staging:
        (staging / "a").write_text("1")
        assert not target.exists()
    assert (target / "a").read_text() == "1"
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_failure_leaves_nothing_behind(tmp_path):
    target = tmp_path / "out"
    with pytest.raises(RuntimeError), atomic_output(target, directory=True) as staging:
        (staging / "a").write_text("1")
        raise RuntimeError("boom")
    assert list(tmp_path.iterdir()) == []


def test_existing_output_needs_force(tmp_path):
    target = tmp_path / "model.tflite"
    target.write_text("old")
    with pytest.raises(OutputExistsError, match="--force"), atomic_output(target):
        pass
    assert target.read_text() == "old"
    with atomic_output(target, force=True) as staging:
        staging.write_text("new")
    assert target.read_text() == "new"


def test_forced_directory_replacement_keeps_old_until_success(tmp_path):
    target = tmp_path / "out"
    target.mkdir()
    (target / "old").write_text("x")
    with pytest.raises(RuntimeError), atomic_output(target, force=True, directory=True):
        raise RuntimeError("boom")
    assert (target / "old").exists()
    with atomic_output(target, force=True, directory=True) as staging:
        (staging / "new").write_text("y")
    assert [p.name for p in target.iterdir()] == ["new"]


def test_second_writer_is_refused(tmp_path):
    target = tmp_path / "out"
    with exclusive(target):
        import subprocess
        import sys

        code = (
            "import sys; from pathlib import Path; from digitcli.atomic import exclusive\n"
            "from digitcli.errors import UsageError\n"
            "try:\n    with exclusive(Path(sys.argv[1])): pass\n"
            "except UsageError: sys.exit(3)\n"
        )
        child = subprocess.run([sys.executable, "-c", code, str(target)])
        assert child.returncode == 3
    with exclusive(target):  # released: free again
        pass
