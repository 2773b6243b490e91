import os
from pathlib import Path

import pytest

from digitcli.core.atomic import atomic_output, check_writable, exclusive
from digitcli.core.errors import OutputExistsError, UsageError


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
    (target / "metadata.json").write_text("{}")  # a model directory digitcli wrote
    with pytest.raises(RuntimeError), atomic_output(target, force=True, directory=True):
        raise RuntimeError("boom")
    assert (target / "metadata.json").exists()
    with atomic_output(target, force=True, directory=True) as staging:
        (staging / "new").write_text("y")
    assert [p.name for p in target.iterdir()] == ["new"]


def test_force_never_replaces_a_folder_digitcli_did_not_write(tmp_path):
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "thesis.txt").write_text("four years")
    with pytest.raises(UsageError, match="did not write"):
        check_writable(precious, force=True)
    with (
        pytest.raises(UsageError, match="did not write"),
        atomic_output(precious, force=True, directory=True),
    ):
        pass
    assert (precious / "thesis.txt").read_text() == "four years"


@pytest.mark.parametrize("name", ["", "."])
def test_the_current_folder_is_never_an_output(tmp_path, monkeypatch, name):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(UsageError, match="not a place"):
        check_writable(Path(name), force=True)
    with pytest.raises(UsageError, match="not a place"):
        check_writable(tmp_path.parent, force=True)  # a folder holding the current one


def test_a_file_in_the_way_of_a_folder_is_a_usage_error(tmp_path):
    (tmp_path / "afile").write_text("")
    with pytest.raises(UsageError, match="is a file, not a folder"):
        check_writable(tmp_path / "afile" / "model", force=False)


def test_a_lock_taken_on_a_removed_lock_file_is_taken_again(tmp_path, monkeypatch):
    import digitcli.core.atomic as atomic

    # The race: between our open() and our flock(), the previous holder removed the file and a
    # third process made a new one. Our lock is then on a name nobody else finds: take it again.
    target = tmp_path / "out"
    lock_path = tmp_path / ".out.lock"
    real_flock = atomic.fcntl.flock
    raced = []

    def flock(handle, operation):
        if not raced:
            raced.append(True)
            lock_path.unlink()
            lock_path.write_text("")  # the third process's new lock file
        return real_flock(handle, operation)

    monkeypatch.setattr(atomic.fcntl, "flock", flock)
    with exclusive(target):
        held = [os.readlink(f"/proc/self/fd/{fd}") for fd in os.listdir("/proc/self/fd")
                if os.path.exists(f"/proc/self/fd/{fd}")]  # fmt: skip
        assert str(lock_path) in held and f"{lock_path} (deleted)" not in held
    assert raced and not lock_path.exists()


def test_second_writer_is_refused(tmp_path):
    target = tmp_path / "out"
    with exclusive(target):
        import subprocess
        import sys

        code = (
            "import sys; from pathlib import Path; from digitcli.core.atomic import exclusive\n"
            "from digitcli.core.errors import UsageError\n"
            "try:\n    with exclusive(Path(sys.argv[1])): pass\n"
            "except UsageError: sys.exit(3)\n"
        )
        child = subprocess.run([sys.executable, "-c", code, str(target)])
        assert child.returncode == 3
    with exclusive(target):  # released: free again
        pass


def test_a_folder_moved_aside_by_a_killed_run_comes_back(tmp_path):
    from digitcli.core.atomic import recover

    # What the two-rename fallback leaves after a kill -9 between its renames: no target, the
    # old folder under a hidden name whose process is gone, and the new one half-written.
    dead = 2**22 + 12345  # above the usual pid_max: no such process
    (tmp_path / f".ckpt.old-{dead}").mkdir()
    (tmp_path / f".ckpt.old-{dead}" / "state.json").write_text("{}")
    (tmp_path / f".ckpt.tmp-{dead}").mkdir()
    recover(tmp_path / "ckpt")
    assert (tmp_path / "ckpt" / "state.json").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ckpt"]


def test_a_running_process_leftovers_are_not_touched(tmp_path):
    import os

    from digitcli.core.atomic import recover

    mine = tmp_path / f".out.tmp-{os.getpid()}"
    mine.mkdir()
    recover(tmp_path / "out")
    assert mine.exists()


def test_a_directory_swap_is_one_step(tmp_path, monkeypatch):
    import digitcli.core.atomic as atomic

    target = tmp_path / "out"
    target.mkdir()
    (target / "metadata.json").write_text("old")
    renames = []
    real_replace = atomic.os.replace
    monkeypatch.setattr(
        atomic.os, "replace", lambda a, b: renames.append((a, b)) or real_replace(a, b)
    )
    with atomic_output(target, force=True, directory=True) as staging:
        (staging / "metadata.json").write_text("new")
    assert (target / "metadata.json").read_text() == "new"
    assert renames == []  # renameat2(RENAME_EXCHANGE), not two renames with a gap between
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
