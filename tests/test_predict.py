"""`digitcli predict`: inputs of every kind, answers in order, every output format, bad files."""

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image
from typer.testing import CliRunner

from digitcli.cli import app
from digitcli.core.errors import UsageError
from digitcli.inputs.batches import _may_fork, prepared_batches
from digitcli.inputs.sources import expand_inputs
from digitcli.predicting.predict import Prediction, predict

from conftest import in_a_fresh_process, subprocess_env
from mnist_files import STEEP, synthetic_digits

runner = CliRunner()


@pytest.fixture
def digit_files(tmp_path):
    """Eight MNIST-style PNGs of known labels, named so that sorting keeps their order."""
    x, y = synthetic_digits(8, seed=11, classes=STEEP)
    folder = tmp_path / "digits"
    folder.mkdir()
    paths = []
    for i, (image, label) in enumerate(zip(x, y, strict=True)):
        path = folder / f"{i:02d}-label{label}.png"
        Image.fromarray(image).save(path)
        paths.append(path)
    return paths, [int(label) for label in y]


def test_answers_in_input_order_with_top_k(tiny_model, digit_files):
    paths, labels = digit_files
    order = [paths[3], paths[0], paths[5]]
    answers = list(predict([str(p) for p in order], model=tiny_model, top_k=2))
    assert [a.file for a in answers] == [str(p) for p in order]
    for answer in answers:
        assert answer.digit == answer.top[0][0]
        assert len(answer.top) == 2 and answer.top[0][1] >= answer.top[1][1]
        assert 0 < answer.confidence <= 1


def test_paths_are_answered_as_their_names(tiny_model, digit_files, tmp_path):
    paths, _ = digit_files
    as_names = list(predict([str(paths[1]), str(paths[0].parent)], model=tiny_model))
    answers = list(predict([paths[1], paths[0].parent], model=tiny_model))
    assert answers == as_names
    assert [a.file for a in answers] == [str(paths[1]), *map(str, paths)]
    (tmp_path / "empty").mkdir()
    with pytest.raises(UsageError, match="no images found in .*empty"):
        list(predict([tmp_path / "empty"], model=tiny_model))


def test_most_answers_are_right(tiny_model, digit_files):
    paths, labels = digit_files
    answers = list(predict([str(p) for p in paths], model=tiny_model))
    right = sum(a.digit == label for a, label in zip(answers, labels, strict=True))
    assert right >= 6


def test_directory_glob_and_list_expand_in_order(digit_files, tmp_path):
    paths, _ = digit_files
    (tmp_path / "digits" / "notes.txt").write_text("not an image")
    from_dir = [s.name for s in expand_inputs([str(tmp_path / "digits")])]
    assert from_dir == [str(p) for p in paths]
    from_glob = [s.name for s in expand_inputs([str(tmp_path / "digits" / "0[12]-*.png")])]
    assert from_glob == [str(paths[1]), str(paths[2])]
    listing = tmp_path / "list.txt"
    listing.write_text(f"{paths[4]}\n\n{paths[2]}\n")
    assert [s.name for s in expand_inputs([], str(listing))] == [str(paths[4]), str(paths[2])]


def test_blank_image_is_not_guessed(tiny_model, tmp_path):
    blank = tmp_path / "blank.png"
    Image.new("L", (200, 120), 255).save(blank)
    (answer,) = predict([str(blank)], model=tiny_model)
    assert answer.digit is None and answer.confidence is None
    assert "no digit" in answer.note


def test_threshold_makes_digit_null_and_says_why(tiny_model, digit_files):
    paths, _ = digit_files
    # Above 1: no answer can meet it (1.0 can: a calibrated model may be sure to float precision).
    (answer,) = predict([str(paths[0])], model=tiny_model, threshold=1.01)
    assert answer.digit is None
    assert "below the threshold" in answer.note
    assert answer.to_json()["digit"] is None


def test_save_preprocessed_writes_what_the_model_saw(tiny_model, digit_files, tmp_path):
    paths, _ = digit_files
    out = tmp_path / "seen"
    list(predict([str(p) for p in paths[:3]], model=tiny_model, save_preprocessed=out))
    written = sorted(out.iterdir())
    assert len(written) == 3
    assert Image.open(written[0]).size == (28, 28)


def cli(*args, stdin=None):
    return runner.invoke(app, ["predict", *args], input=stdin)


def test_formats(tiny_model, digit_files):
    paths, _ = digit_files
    files = [str(p) for p in paths[:3]]
    jsonl = cli(*files, "--model", str(tiny_model), "--format", "jsonl")
    assert jsonl.exit_code == 0, jsonl.output
    rows = [json.loads(line) for line in jsonl.stdout.splitlines()]
    assert [row["file"] for row in rows] == files
    assert set(rows[0]) == {"file", "digit", "confidence", "top", "model"}

    as_json = json.loads(cli(*files, "--model", str(tiny_model), "--format", "json").stdout)
    assert [row["digit"] for row in as_json] == [row["digit"] for row in rows]

    table = list(
        csv.reader(io.StringIO(cli(*files, "--model", str(tiny_model), "--format", "csv").stdout))
    )
    assert table[0][:3] == ["file", "digit", "confidence"]
    assert [r[1] for r in table[1:]] == [str(row["digit"]) for row in rows]

    plain = cli(*files, "--model", str(tiny_model), "--format", "plain").stdout.splitlines()
    assert plain == [f"{row['file']}\t{row['digit']}\t" for row in rows]  # always 3 fields


def test_bad_files_are_reported_and_the_rest_answered(tiny_model, digit_files, tmp_path):
    paths, _ = digit_files
    empty = tmp_path / "empty.png"
    empty.write_bytes(b"")
    text = tmp_path / "text.jpg"
    text.write_text("hello")
    truncated = tmp_path / "cut.png"
    truncated.write_bytes(paths[0].read_bytes()[:60])
    inputs = [str(paths[0]), str(empty), str(tmp_path / "missing.png"), str(text), str(truncated),
              str(paths[1])]  # fmt: skip
    result = cli(*inputs, "--model", str(tiny_model), "--format", "jsonl")
    assert result.exit_code == 1
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [row["file"] for row in rows] == inputs
    assert "digit" in rows[0] and "digit" in rows[-1]
    for row in rows[1:-1]:
        assert set(row) == {"file", "error"} and row["error"]
    assert result.stderr.count("Error: ") == 4


def test_stdin_image_and_list_from_stdin(tiny_model, digit_files):
    paths, _ = digit_files
    one = cli("-", "--model", str(tiny_model), "--format", "jsonl", stdin=paths[2].read_bytes())
    assert one.exit_code == 0, one.output
    assert json.loads(one.stdout)["file"] == "<stdin>"
    listed = cli("--from-list", "-", "--model", str(tiny_model), "--format", "plain",
                 stdin="".join(f"{p}\n" for p in paths))  # fmt: skip
    assert listed.exit_code == 0
    assert len(listed.stdout.splitlines()) == len(paths)


def test_no_inputs_is_a_usage_error():
    result = cli()
    assert result.exit_code == 2
    assert "IMAGE" in result.stderr


def test_missing_list_file_is_a_usage_error(tmp_path):
    result = cli("--from-list", str(tmp_path / "nope.txt"))
    assert result.exit_code == 2


def test_jsonl_parses_line_by_line_with_a_json_tool_in_a_shell(tiny_model, digit_files, tmp_path):
    paths, _ = digit_files
    (tmp_path / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    script = (
        f"find {paths[0].parent} {tmp_path / 'broken.png'} -name '*.png' | sort | "
        f"{sys.executable} -m digitcli predict --from-list - --model {tiny_model} --format jsonl | "
        f"while IFS= read -r line; do printf '%s' \"$line\" | {sys.executable} -m json.tool "
        "--compact || exit 9; done; "
        'codes="${PIPESTATUS[*]}"; [ "$codes" = "0 0 1 0" ] || { echo "$codes" >&2; exit 8; }'
    )  # predict exits 1 (one input failed); every line still parses
    done = subprocess.run(["bash", "-c", script], capture_output=True, text=True,
                          env=subprocess_env())  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert len(done.stdout.splitlines()) == len(paths) + 1


def test_exit_code_1_from_a_real_process_when_an_input_fails(tiny_model, digit_files, tmp_path):
    paths, _ = digit_files
    done = subprocess.run(
        [sys.executable, "-m", "digitcli", "predict", str(paths[0]), str(tmp_path / "nope.png"),
         "--model", str(tiny_model)],
        capture_output=True, text=True, env=subprocess_env(),
    )  # fmt: skip
    assert done.returncode == 1
    assert done.stdout.splitlines()[0].startswith(str(paths[0]) + "\t")
    assert "nope.png" in done.stderr and "Traceback" not in done.stderr


def test_batches_do_not_change_answers(tiny_model, digit_files):
    paths, _ = digit_files
    files = [str(p) for p in paths]
    one_by_one = [a.digit for a in predict(files, model=tiny_model, batch_size=1)]
    together = [a.digit for a in predict(files, model=tiny_model, batch_size=64)]
    assert one_by_one == together


def test_prediction_json_for_errors():
    assert Prediction("a.png", error="empty file").to_json() == {
        "file": "a.png",
        "error": "empty file",
    }


def test_worker_processes_give_the_same_answers_in_order(tiny_model, digit_files, tmp_path):
    paths, _ = digit_files
    many = [str(paths[i % len(paths)]) for i in range(40)] + [str(tmp_path / "missing.png")]
    in_workers = list(predict(many, model=tiny_model))  # 41 inputs: prepared by worker processes
    one_by_one = [next(iter(predict([name], model=tiny_model))) for name in many]
    assert [a.to_json() for a in in_workers] == [a.to_json() for a in one_by_one]


def test_the_model_loads_once_while_the_first_batch_is_prepared():
    events = []

    def work(source):  # in this process: fewer inputs than workers are started for
        events.append(source.name)

    batches = prepared_batches(list("abcde"), None, work, 2, meanwhile=lambda: events.append("M"))
    assert [len(batch) for batch, _ in batches] == [2, 2, 1]
    assert events == ["a", "b", "M", "c", "d", "e"]


def _slow_and_counted(source):
    """Work for worker processes: a line in a file per source, a little time each, once the
    test says go (not while the pool is still forking, however loaded the machine)."""
    import time

    go = source.path.with_suffix(".go")
    for _ in range(3000):
        if go.exists():
            break
        time.sleep(0.01)
    with open(source.path.with_suffix(".count"), "a") as count:
        count.write("x\n")
    time.sleep(0.05)


def _batch_with_a_broken_model(folder: Path) -> int:
    """How many of 64 sources the workers started when the model failed as they began."""
    (folder / "input.png").write_bytes(b"")
    inputs = [str(folder / "input.png")] * 64  # one batch, 8 tasks of 8 for the workers

    def broken_model():
        (folder / "input.go").touch()
        raise RuntimeError("model file is damaged")

    assert _may_fork(), "this process may not fork: the workers would not be used"
    batches = prepared_batches(inputs, None, _slow_and_counted, 64, meanwhile=broken_model)
    with pytest.raises(RuntimeError, match="damaged"):
        next(iter(batches))
    return (folder / "input.count").read_text().count("x")


def test_an_error_while_the_workers_start_cancels_the_rest_of_their_batch(tmp_path):
    started = in_a_fresh_process(_batch_with_a_broken_model, tmp_path)
    assert started < 64  # the tasks not yet taken by a worker were dropped
