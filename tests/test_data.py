"""digitcli.datasets.data: every MNIST format round-trips, every malformed input is a one-line
DataError."""

from __future__ import annotations

import gzip
import hashlib
import http.server
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from digitcli.core.config import DATA_ENV, MNIST_URL_ENV
from digitcli.core.errors import DataError
from digitcli.datasets import data, download
from digitcli.datasets.data import Dataset, download_mnist, load_dataset, resolve_data_path

from mnist_files import (
    idx_images_bytes,
    idx_labels_bytes,
    npz_bytes,
    synthetic_digits,
    write_csv_split,
    write_idx,
    write_labelled_csv,
    write_npz,
)

REAL_MNIST = Path(__file__).resolve().parents[1] / "MNIST"
TRAIN = synthetic_digits(21, seed=1)
TEST = synthetic_digits(7, seed=2)
PROPERTY = settings(
    max_examples=100,
    deadline=None,
    # the autouse fixture only isolates the environment: sharing it between examples is fine
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No $DIGITCLI_DATA, no ./MNIST/ of the repository, and no download leaving the machine."""
    monkeypatch.delenv(DATA_ENV, raising=False)
    monkeypatch.setenv(MNIST_URL_ENV, "http://127.0.0.1:9/unreachable.npz")
    monkeypatch.setenv("no_proxy", "*")
    monkeypatch.chdir(tmp_path)


def assert_same(dataset: Dataset, train: tuple | None = TRAIN, test: tuple | None = TEST) -> None:
    for split, expected in ((dataset.train, train), (dataset.test, test)):
        assert split.x.dtype == np.uint8 and split.y.dtype == np.uint8
        if expected is None:
            assert len(split) == 0 and split.x.shape == (0, 28, 28)
        else:
            np.testing.assert_array_equal(split.x, expected[0])
            np.testing.assert_array_equal(split.y, expected[1])


def load_error(path: Path | str, **kwargs: object) -> str:
    with pytest.raises(DataError) as raised:
        load_dataset(path, download=False, **kwargs)
    message = str(raised.value)
    assert "\n" not in message
    return message


def check_loaded(dataset: Dataset) -> None:
    """What any Dataset promises, whatever the bytes it came from."""
    for split in (dataset.train, dataset.test):
        assert split.x.dtype == np.uint8 and split.x.shape == (len(split), 28, 28)
        assert split.y.dtype == np.uint8 and split.y.shape == (len(split),)
        assert len(split) == 0 or split.y.max() <= 9


# --- round trips ---------------------------------------------------------------------------------


@pytest.mark.parametrize("gz", [True, False])
@pytest.mark.parametrize("dot_names", [False, True])
def test_idx_round_trip(tmp_path: Path, gz: bool, dot_names: bool) -> None:
    written = write_idx(tmp_path / "d", TRAIN, TEST, gz=gz, dot_names=dot_names)
    dataset = load_dataset(tmp_path / "d")
    assert_same(dataset)
    assert dataset.format == "idx"
    assert dataset.source == "d (IDX, 21 train / 7 test)"
    assert dataset.files == {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in written.values()
    }


def test_arrays_are_writable_and_contiguous(tmp_path: Path) -> None:
    write_idx(tmp_path / "idx", TRAIN, TEST)
    write_npz(tmp_path / "mnist.npz", TRAIN, TEST)
    write_csv_split(tmp_path / "csv", TRAIN, TEST)
    for where in ("idx", "mnist.npz", "csv"):
        split = load_dataset(tmp_path / where).train
        for array in (split.x, split.y):
            assert array.flags.writeable and array.flags.c_contiguous


def test_npz_round_trip(tmp_path: Path) -> None:
    path = write_npz(tmp_path / "mnist.npz", TRAIN, TEST)
    for where in (path, tmp_path):
        dataset = load_dataset(where)
        assert_same(dataset)
        assert dataset.format == "npz"
        assert dataset.files == {"mnist.npz": hashlib.sha256(path.read_bytes()).hexdigest()}


def test_npz_accepts_flat_images_and_int64_labels(tmp_path: Path) -> None:
    x, y = TRAIN
    np.savez(tmp_path / "m.npz", x_train=x.reshape(21, 784), y_train=y.astype(np.int64),
             x_test=TEST[0][..., None], y_test=TEST[1])  # fmt: skip
    assert_same(load_dataset(tmp_path / "m.npz"))


@pytest.mark.parametrize("header", [False, True])
def test_csv_split_round_trip(tmp_path: Path, header: bool) -> None:
    write_csv_split(tmp_path, TRAIN, TEST, header=header)
    dataset = load_dataset(tmp_path)
    assert_same(dataset)
    assert dataset.format == "csv"
    assert sorted(dataset.files) == [
        "digit_xtest.csv", "digit_xtrain.csv", "digit_ytest.csv", "digit_ytrain.csv"
    ]  # fmt: skip


@pytest.mark.parametrize("header", [False, True])
def test_labelled_csv_folder_round_trip(tmp_path: Path, header: bool) -> None:
    write_labelled_csv(tmp_path / "mnist_train.csv", *TRAIN, header=header)
    write_labelled_csv(tmp_path / "mnist_test.csv", *TEST, header=header)
    assert_same(load_dataset(tmp_path))


def test_csv_header_spelled_1x1(tmp_path: Path) -> None:
    x, y = TEST
    names = ",".join(["label"] + [f"{r}x{c}" for r in range(1, 29) for c in range(1, 29)])
    rows = [",".join(map(str, [label, *image.ravel()])) for image, label in zip(x, y, strict=True)]
    (tmp_path / "t.csv").write_text("\r\n".join([names, *rows, "", ""]))
    assert_same(load_dataset(tmp_path / "t.csv", role="test"), train=None)


def test_csv_fractions_are_scaled(tmp_path: Path) -> None:
    x, y = TEST
    table = np.column_stack([y, x.reshape(7, -1) / 255])
    np.savetxt(tmp_path / "f.csv", table, delimiter=",", fmt="%.6f")
    loaded = load_dataset(tmp_path / "f.csv", role="test").test
    np.testing.assert_array_equal(loaded.x, x)
    np.testing.assert_array_equal(loaded.y, y)


@pytest.mark.parametrize("kind", ["labelled-csv", "npz-test-only", "idx-test-only"])
def test_one_split_source(tmp_path: Path, kind: str) -> None:
    x, y = synthetic_digits(70, seed=3)
    if kind == "labelled-csv":
        path = write_labelled_csv(tmp_path / "digits.csv", x, y)
    elif kind == "npz-test-only":
        path = write_npz(tmp_path / "mnist.npz", test=(x, y))
    else:
        path = write_idx(tmp_path / "t10k", test=(x, y))["t10k-images"]
    as_test = load_dataset(path, role="test")
    assert_same(as_test, train=None, test=(x, y))
    assert as_test.source.endswith("70 test)")
    as_train = load_dataset(path, role="train")
    assert_same(as_train, train=(x[:60], y[:60]), test=(x[60:], y[60:]))
    assert "60 train / 10 test" in as_train.source


def test_a_file_of_a_pair_loads_its_pair(tmp_path: Path) -> None:
    write_idx(tmp_path, TRAIN, TEST)
    write_csv_split(tmp_path / "csv", TRAIN, TEST)
    for path in (tmp_path / "train-labels-idx1-ubyte.gz", tmp_path / "csv" / "digit_xtrain.csv"):
        assert_same(load_dataset(path, role="test"), train=None, test=TRAIN)


def test_raw_idx_is_preferred_to_gz_and_idx_to_other_formats(tmp_path: Path) -> None:
    write_idx(tmp_path, TRAIN, TEST, gz=False)
    (tmp_path / "train-images-idx3-ubyte.gz").write_bytes(b"not read")
    write_npz(tmp_path / "mnist.npz", TEST, TRAIN)
    assert_same(load_dataset(tmp_path))


# --- errors --------------------------------------------------------------------------------------


def idx_folder(tmp_path: Path, gz: bool = False) -> Path:
    write_idx(tmp_path / "d", TRAIN, TEST, gz=gz)
    return tmp_path / "d"


def test_idx_truncated(tmp_path: Path) -> None:
    folder = idx_folder(tmp_path)
    path = folder / "train-images-idx3-ubyte"
    path.write_bytes(path.read_bytes()[:-5])
    message = load_error(folder)
    assert message.startswith(str(path) + ": truncated")
    assert f"expected {16 + 21 * 784} bytes" in message and f"got {16 + 21 * 784 - 5}" in message


def test_idx_trailing_bytes(tmp_path: Path) -> None:
    folder = idx_folder(tmp_path)
    path = folder / "t10k-labels-idx1-ubyte"
    path.write_bytes(path.read_bytes() + b"\0")
    assert "trailing bytes: expected 15 bytes for 7 labels, got 16" in load_error(folder)


def test_idx_wrong_magic(tmp_path: Path) -> None:
    folder = idx_folder(tmp_path, gz=True)
    path = folder / "train-images-idx3-ubyte.gz"
    path.write_bytes(gzip.compress(idx_labels_bytes(TRAIN[1])))
    assert load_error(folder) == (
        f"{path}: wrong magic number 0x00000801 (expected 0x00000803 for images)"
    )


def test_idx_counts_disagree(tmp_path: Path) -> None:
    folder = idx_folder(tmp_path)
    (folder / "t10k-labels-idx1-ubyte").write_bytes(idx_labels_bytes(TEST[1][:6]))
    assert load_error(folder) == (
        f"{folder / 't10k-images-idx3-ubyte'}: 7 images but t10k-labels-idx1-ubyte has 6 labels"
    )


def test_idx_wrong_image_size(tmp_path: Path) -> None:
    folder = idx_folder(tmp_path)
    (folder / "train-images-idx3-ubyte").write_bytes(idx_images_bytes(np.zeros((3, 32, 32))))
    assert "images are 32x32 (expected 28x28)" in load_error(folder)


def test_idx_label_out_of_range(tmp_path: Path) -> None:
    folder = idx_folder(tmp_path)
    labels = TRAIN[1].copy()
    labels[4] = 12
    (folder / "train-labels-idx1-ubyte").write_bytes(idx_labels_bytes(labels))
    assert load_error(folder) == (
        f"{folder / 'train-labels-idx1-ubyte'}: index 4: label 12 is not an integer 0-9"
    )


@pytest.mark.parametrize(
    ("content", "problem"),
    [(b"", "empty file"), (b"plain text", "not a gzip file"), (None, "truncated gzip file")],
)
def test_idx_bad_gzip(tmp_path: Path, content: bytes | None, problem: str) -> None:
    folder = idx_folder(tmp_path, gz=True)
    path = folder / "t10k-images-idx3-ubyte.gz"
    path.write_bytes(path.read_bytes()[:40] if content is None else content)
    assert load_error(folder) == f"{path}: {problem}"


def test_idx_half_a_pair(tmp_path: Path) -> None:
    folder = idx_folder(tmp_path)
    (folder / "t10k-labels-idx1-ubyte").unlink()
    message = load_error(folder)
    assert "t10k-images-idx3-ubyte: found without its partner t10k-labels-idx1-ubyte" in message


def test_csv_non_number_names_line_and_column(tmp_path: Path) -> None:
    path = write_labelled_csv(tmp_path / "d.csv", *TEST, header=True)
    lines = path.read_text().splitlines()
    cells = lines[2].split(",")
    cells[4] = "12a"
    lines[2] = ",".join(cells)
    path.write_text("\n".join(lines))
    assert load_error(path) == f"{path}: line 3, column 5: '12a' is not a number"


def test_csv_non_number_in_first_row_is_not_a_header(tmp_path: Path) -> None:
    path = write_labelled_csv(tmp_path / "d.csv", *TEST)
    text = path.read_text()
    path.write_text("x" + text[1:])
    assert load_error(path) == f"{path}: line 1, column 1: 'x' is not a number"


def test_csv_wrong_cell_count(tmp_path: Path) -> None:
    write_csv_split(tmp_path, TRAIN, TEST)
    path = tmp_path / "digit_xtest.csv"
    lines = path.read_text().splitlines()
    lines[5] += ",0"
    path.write_text("\n".join(lines) + "\n")
    assert load_error(tmp_path) == f"{path}: line 6 has 785 cells, expected 784 (784 pixels)"


def test_csv_without_labels_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "unlabelled.csv"
    np.savetxt(path, TEST[0].reshape(7, -1), fmt="%d", delimiter=",")
    assert (
        "unlabelled.csv: line 1 has 784 cells, expected 785 (a label, then 784 pixels)"
        in load_error(path)
    )


def test_csv_values_out_of_range(tmp_path: Path) -> None:
    x, y = TEST
    table = np.column_stack([y, x.reshape(7, -1)]).astype(np.int64)
    table[3, 10] = 256
    np.savetxt(tmp_path / "p.csv", table, fmt="%d", delimiter=",")
    assert load_error(tmp_path / "p.csv") == (
        f"{tmp_path / 'p.csv'}: line 4, column 11: pixel value 256 is not an integer 0-255"
    )
    table[3, 10] = 0
    table[6, 0] = 10
    np.savetxt(tmp_path / "p.csv", table, fmt="%d", delimiter=",")
    assert load_error(tmp_path / "p.csv").endswith(
        ": line 7, column 1: label 10 is not an integer 0-9"
    )


def test_csv_counts_disagree(tmp_path: Path) -> None:
    write_csv_split(tmp_path, TRAIN, (TEST[0], TEST[1]))
    np.savetxt(tmp_path / "digit_ytest.csv", TEST[1][:5], fmt="%d")
    assert "digit_xtest.csv: 7 rows but digit_ytest.csv has 5 labels" in load_error(tmp_path)


def test_csv_header_only(tmp_path: Path) -> None:
    (tmp_path / "h.csv").write_text("label," + ",".join(f"pixel{i}" for i in range(784)) + "\n")
    assert load_error(tmp_path / "h.csv").endswith("h.csv: no rows of data")


def test_npz_errors(tmp_path: Path) -> None:
    path = tmp_path / "m.npz"
    np.savez(path, x_train=TRAIN[0])
    assert load_error(path) == f"{path}: has x_train but no y_train"
    np.savez(path, images=TRAIN[0])
    assert "no x_train/y_train or x_test/y_test arrays (found nothing usable)" in load_error(path)
    np.savez(path, x_test=np.zeros((2, 28)), y_test=np.zeros(2))
    assert "x_test has shape (2, 28) (expected (n, 28, 28))" in load_error(path)
    labels = TEST[1].astype(np.int64)
    labels[1] = 14
    np.savez(path, x_test=TEST[0], y_test=labels)
    assert load_error(path) == f"{path}: y_test[1]: label 14 is not an integer 0-9"
    np.savez(path, x_test=TEST[0], y_test=np.array([object()] * 7))  # pickled: never loaded
    assert "y_test holds object values, not numbers" in load_error(path)
    path.write_bytes(b"PK\x03\x04 not really")
    assert load_error(path).startswith(f"{path}: not a valid .npz file (")


def test_empty_file_and_folder_and_missing_path(tmp_path: Path) -> None:
    (tmp_path / "empty.csv").write_bytes(b"")
    assert load_error(tmp_path / "empty.csv") == f"{tmp_path / 'empty.csv'}: empty file"
    (tmp_path / "nothing").mkdir()
    (tmp_path / "nothing" / "notes.txt").write_text("hello")
    assert load_error(tmp_path / "nothing") == (
        f"{tmp_path / 'nothing'}: no MNIST data found (IDX files, an .npz or CSV files) "
        "and no image folders (one sub-folder per digit, 0/ to 9/)"
    )
    assert load_error(tmp_path / "absent") == f"{tmp_path / 'absent'}: no such file or directory"
    (tmp_path / "notes.txt").write_text("hello")
    assert "not a recognised MNIST file" in load_error(tmp_path / "notes.txt")


def test_bad_role_is_a_programming_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="role"):
        load_dataset(tmp_path, role="validation")


# --- where the data is looked for ----------------------------------------------------------------


def test_resolution_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert resolve_data_path(None) == Path("MNIST")
    assert resolve_data_path("") == Path("MNIST")
    monkeypatch.setenv(DATA_ENV, str(tmp_path / "env"))
    assert resolve_data_path(None) == tmp_path / "env"
    assert resolve_data_path(tmp_path / "arg") == tmp_path / "arg"


def test_load_follows_data_env_then_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_idx(tmp_path / "MNIST", TRAIN, TEST)
    write_npz(tmp_path / "env" / "mnist.npz", TEST, TRAIN)
    assert_same(load_dataset())
    monkeypatch.setenv(DATA_ENV, str(tmp_path / "env"))
    assert_same(load_dataset(), TEST, TRAIN)
    assert_same(load_dataset(tmp_path / "MNIST"))


def test_explicit_locations_never_download(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*args: object, **kwargs: object) -> None:
        raise AssertionError("downloaded")

    monkeypatch.setattr(data, "download_mnist", fail)
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataError, match="no MNIST data found"):
        load_dataset(tmp_path / "empty")
    monkeypatch.setenv(DATA_ENV, str(tmp_path / "empty"))
    with pytest.raises(DataError, match="no MNIST data found"):
        load_dataset()
    monkeypatch.delenv(DATA_ENV)
    with pytest.raises(DataError, match="MNIST: no such file or directory; pass --data"):
        load_dataset(download=False)


# --- download ------------------------------------------------------------------------------------


class _Server:
    def __init__(self, payload: bytes) -> None:
        self.payload = payload
        self.hits = 0
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                server.hits += 1
                if self.path != "/mnist.npz":
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(len(server.payload)))
                self.end_headers()
                self.wfile.write(server.payload)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"


@pytest.fixture()
def server() -> Iterator[_Server]:
    running = _Server(npz_bytes(TRAIN, TEST))
    thread = threading.Thread(target=running.httpd.serve_forever, daemon=True)
    thread.start()
    yield running
    running.httpd.shutdown()
    running.httpd.server_close()


def test_default_location_downloads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, server: _Server
) -> None:
    monkeypatch.setenv(MNIST_URL_ENV, server.url + "/mnist.npz")
    (tmp_path / "MNIST" / "models").mkdir(parents=True)  # trained models are not data
    calls: list[tuple[int, int]] = []
    dataset = load_dataset(progress=lambda done, total: calls.append((done, total)))
    assert_same(dataset)
    assert sorted(p.name for p in (tmp_path / "MNIST").iterdir()) == ["mnist.npz", "models"]
    size = len(server.payload)
    assert calls[0] == (0, size) and calls[-1] == (size, size)
    assert load_dataset(download=False).files == dataset.files
    assert server.hits == 1


def test_download_errors_leave_nothing(tmp_path: Path, server: _Server) -> None:
    dest = tmp_path / "dl"
    with pytest.raises(DataError, match=r"^cannot download .*/missing.npz: HTTP 404"):
        download_mnist(dest, url=server.url + "/missing.npz")
    with pytest.raises(DataError, match="sha256 .* does not match the expected 0000"):
        download_mnist(dest, url=server.url + "/mnist.npz", sha256="0" * 64)
    server.payload = b"<html>not an npz</html>"
    with pytest.raises(DataError, match="not a valid .npz file"):
        download_mnist(dest, url=server.url + "/mnist.npz")
    with pytest.raises(DataError, match="^cannot download http://127.0.0.1:9/unreachable.npz: "):
        download_mnist(dest)  # $DIGITCLI_MNIST_URL, set by the autouse fixture
    assert not dest.exists() or list(dest.iterdir()) == []


def test_download_checks_the_sha256(tmp_path: Path, server: _Server) -> None:
    digest = hashlib.sha256(server.payload).hexdigest()
    path = download_mnist(tmp_path, url=server.url + "/mnist.npz", sha256=digest)
    assert path == tmp_path / "mnist.npz" and path.read_bytes() == server.payload


def test_keras_url_is_checked_against_its_known_hash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(MNIST_URL_ENV)
    fetched = []
    monkeypatch.setattr(download, "_fetch", lambda url, *args: fetched.append(url) or b"tiny")
    with pytest.raises(DataError, match=f"expected {download.MNIST_SHA256}"):
        download_mnist(tmp_path)
    assert fetched == [download.MNIST_URL] and list(tmp_path.iterdir()) == []


# --- whatever the bytes: a Dataset or a DataError ------------------------------------------------


def load_or_data_error(folder: Path, **kwargs: object) -> None:
    try:
        dataset = load_dataset(folder, download=False, **kwargs)
    except DataError as error:
        assert "\n" not in str(error) and str(error)
    else:
        check_loaded(dataset)


@st.composite
def mutations(draw: st.DrawFn, original: bytes) -> bytes:
    """`original` with a few bytes flipped, inserted or deleted, or cut short; often near the start,
    where the headers are."""
    content = bytearray(original)
    for _ in range(draw(st.integers(1, 4))):
        if not content:
            break
        position = draw(
            st.integers(0, min(40, len(content) - 1)) | st.integers(0, len(content) - 1)
        )
        action = draw(st.sampled_from(["set", "insert", "delete", "cut"]))
        if action == "set":
            content[position] = draw(st.integers(0, 255))
        elif action == "insert":
            content[position:position] = draw(st.binary(min_size=1, max_size=8))
        elif action == "delete":
            del content[position : position + draw(st.integers(1, 8))]
        else:
            del content[position:]
    return bytes(content)


SMALL = synthetic_digits(3, seed=4)
FILE_NAMES = ["train-images-idx3-ubyte", "t10k-labels-idx1-ubyte.gz", "mnist.npz", "d.csv",
              "digit_xtrain.csv"]  # fmt: skip


@PROPERTY
@given(name=st.sampled_from(FILE_NAMES), content=st.binary(max_size=2000))
def test_random_bytes(name: str, content: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        write_idx(folder, SMALL, SMALL, gz=False)
        write_csv_split(folder, SMALL)
        (Path(folder) / name).write_bytes(content)
        load_or_data_error(Path(folder))
        load_or_data_error(Path(folder) / name, role="test")


@PROPERTY
@given(kind=st.sampled_from(["images", "labels"]), gz=st.booleans(), draw=st.data())
def test_mutated_idx(kind: str, gz: bool, draw: st.DataObject) -> None:
    if kind == "images":
        content = draw.draw(mutations(idx_images_bytes(SMALL[0])))
    else:
        content = draw.draw(mutations(idx_labels_bytes(SMALL[1])))
    with tempfile.TemporaryDirectory() as folder:
        write_idx(folder, SMALL, SMALL, gz=gz)
        name = f"train-{kind}-idx{3 if kind == 'images' else 1}-ubyte"
        path = Path(folder) / (name + ".gz" if gz else name)
        path.write_bytes(gzip.compress(content) if gz else content)
        load_or_data_error(Path(folder))


@PROPERTY
@given(mutations(gzip.compress(idx_labels_bytes(SMALL[1]), mtime=0)))
def test_mutated_gzip(content: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        write_idx(folder, test=SMALL)
        (Path(folder) / "t10k-labels-idx1-ubyte.gz").write_bytes(content)
        load_or_data_error(Path(folder))


@PROPERTY
@given(st.booleans().flatmap(lambda compress: mutations(npz_bytes(SMALL, compress=compress))))
def test_mutated_npz(content: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "mnist.npz").write_bytes(content)
        load_or_data_error(Path(folder), role="test")


def _labelled_csv_text() -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        return write_labelled_csv(Path(folder) / "d.csv", *SMALL, header=True).read_bytes()


@PROPERTY
@given(mutations(_labelled_csv_text()))
def test_mutated_csv(content: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "d.csv").write_bytes(content)
        load_or_data_error(Path(folder) / "d.csv")


# --- the real MNIST ------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.skipif(not REAL_MNIST.is_dir(), reason="the real MNIST is not in ./MNIST/")
def test_real_mnist() -> None:
    dataset = load_dataset(REAL_MNIST, download=False)
    assert (len(dataset.train), len(dataset.test)) == (60000, 10000)
    assert dataset.train.x.shape == (60000, 28, 28) and dataset.train.x.dtype == np.uint8
    assert dataset.test.y.dtype == np.uint8
    assert dataset.test.y[:10].tolist() == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]
    assert dataset.source == "MNIST (IDX, 60000 train / 10000 test)"
    assert len(dataset.files) == 4


@pytest.mark.parametrize("gz", [True, False])
def test_an_idx_file_of_many_images_is_held_once_in_memory(tmp_path: Path, gz: bool) -> None:
    """A 1.5 MB gzip of 1,999,999 blank images made `evaluate` take 3.1 GB: the images were
    decompressed, joined to their header (a copy) and copied again to own their data; a raw
    file's bytes were copied to be writable."""
    import tracemalloc

    count = 40_000  # 31 MB of pixels
    blank = np.zeros((count, 28, 28), np.uint8)
    write_idx(tmp_path, test=(blank, np.zeros(count, np.uint8)), gz=gz)
    del blank
    tracemalloc.start()
    try:
        test = load_dataset(tmp_path, role="test").test
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert test.x.shape == (count, 28, 28) and test.x.flags.writeable
    assert peak < 1.2 * count * 784, f"{peak / 1e6:.0f} MB for {count * 784 / 1e6:.0f} MB"
