"""Batch inference on Dask (digitcli.distributed_predict, docs/distributed.md): a LocalCluster of
two worker processes started here answers a few hundred files exactly as `digitcli predict
--from-list` does, each worker loading the model once."""

from __future__ import annotations

import json

import pytest

from conftest import REPO
from inprocess import digitcli as cli

pytest.importorskip("distributed")

# photo-like files of tests/generators/make_photos.py; MNIST test digits as PNGs
PHOTOS, PNGS = 40, 260
COUNT = PHOTOS + PNGS
pytestmark = pytest.mark.slow  # starts a cluster of processes


@pytest.fixture(scope="module")
def listed(tmp_path_factory):
    """COUNT files (photos, and MNIST digits as PNGs in either polarity), one unreadable file,
    and their list."""
    import make_photos
    import mnist_png

    folder = tmp_path_factory.mktemp("photos")
    x, y = make_photos.load_mnist("t10k")
    made = make_photos.make_photo_set(x[:PHOTOS], y[:PHOTOS], folder, PHOTOS, seed=5)
    paths = [str(path) for path, _ in made]
    for i, pixels in enumerate(x[PHOTOS:COUNT]):
        path = folder / f"mnist-{i:05d}.png"
        path.write_bytes(mnist_png.png_bytes(255 - pixels if i % 2 else pixels))
        paths.append(str(path))
    (folder / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n not really")
    paths.append(str(folder / "broken.png"))
    listing = folder / "list.txt"
    listing.write_text("".join(f"{p}\n" for p in paths))
    return listing, folder


@pytest.fixture(scope="module")
def cluster():
    from distributed import Client, LocalCluster

    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as local,
        Client(local) as client,
    ):
        yield client


def test_two_workers_answer_as_the_cli_each_loading_the_model_once(listed, cluster, tmp_path):
    import digitcli

    listing, _ = listed
    done = cli("predict", "--from-list", str(listing), "--model", "bundled", "-f", "jsonl")
    expected = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(expected) == COUNT + 1
    out = tmp_path / "answers.jsonl"
    summary = digitcli.distributed_predict(listing, out, model="bundled", client=cluster, chunk=16)
    assert [json.loads(line) for line in out.read_text().splitlines()] == expected
    assert (summary.count, summary.failed) == (COUNT + 1, 1)
    # Every worker that answered loaded the model once, however many chunks it took.
    assert sorted(summary.loads.values()) == [1, 1], summary.loads


def test_a_folder_to_parquet(listed, cluster, tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    import digitcli

    _, folder = listed
    done = cli("predict", str(folder), "--model", "bundled", "-f", "jsonl")
    expected = [json.loads(line) for line in done.stdout.splitlines()]
    out = tmp_path / "answers.parquet"
    digitcli.distributed_predict(folder, out, model="bundled", client=cluster, chunk=64)
    table = pq.read_table(out).to_pylist()
    assert [row["file"] for row in table] == [answer["file"] for answer in expected]
    assert [row["digit"] for row in table] == [answer.get("digit") for answer in expected]
    assert [row["error"] for row in table] == [answer.get("error") for answer in expected]
    first = next(answer for answer in expected if "top" in answer)
    row = table[[r["file"] for r in table].index(first["file"])]
    pairs = zip(row["top_digits"], row["top_probabilities"], strict=True)
    assert [list(pair) for pair in pairs] == first["top"]


def test_refuses_what_it_cannot_write(listed, cluster, tmp_path):
    import digitcli
    from digitcli.core.errors import UsageError

    listing, _ = listed
    with pytest.raises(UsageError, match="jsonl"):
        digitcli.distributed_predict(listing, tmp_path / "answers.txt", client=cluster)
    (tmp_path / "empty.txt").write_text("")
    with pytest.raises(UsageError, match="no images found"):
        digitcli.distributed_predict(tmp_path / "empty.txt", tmp_path / "a.jsonl", client=cluster)


@pytest.mark.parametrize("workers", [0, -1, 10**9, 2.5, True])
def test_a_number_of_workers_no_machine_can_start_is_refused_before_any(workers, tmp_path):
    """`workers=10**9` would start a LocalCluster of a billion processes (`processes` of the
    API is capped for the same reason); 0 and -1 meant "one a core" or a Dask error."""
    import digitcli
    from digitcli.core.errors import UsageError

    (tmp_path / "list.txt").write_text(str(REPO / "docs" / "examples" / "drawing.png") + "\n")
    with pytest.raises(UsageError, match="workers"):
        digitcli.distributed_predict(tmp_path / "list.txt", tmp_path / "a.jsonl", workers=workers)
    assert not (tmp_path / "a.jsonl").exists()


@pytest.mark.parametrize("chunk", [0, 2.5, "8"])
def test_a_chunk_that_is_no_whole_number_of_paths_is_refused_before_any_work(chunk, tmp_path):
    """`chunk=2.5` started a cluster, then ended in islice's ValueError."""
    import digitcli
    from digitcli.core.errors import UsageError

    (tmp_path / "list.txt").write_text(str(REPO / "docs" / "examples" / "drawing.png") + "\n")
    with pytest.raises(UsageError, match="chunk"):
        digitcli.distributed_predict(tmp_path / "list.txt", tmp_path / "a.jsonl", chunk=chunk)


@pytest.mark.parametrize(
    "source, output, model",
    [("list.txt", 5, None), (5, "a.jsonl", None), ("list.txt", "a.jsonl", 5)],
    ids=["output", "source", "model"],
)
def test_a_path_of_another_type_is_refused_before_any_work(source, output, model, tmp_path):
    """`output=5` and `model=5` raised TypeError from pathlib, `source=5` "not iterable"."""
    import digitcli
    from digitcli.core.errors import UsageError

    (tmp_path / "list.txt").write_text(str(REPO / "docs" / "examples" / "drawing.png") + "\n")
    source = tmp_path / source if isinstance(source, str) else source
    output = tmp_path / output if isinstance(output, str) else output
    with pytest.raises(UsageError, match="str or Path"):
        digitcli.distributed_predict(source, output, model=model)
    assert not (tmp_path / "a.jsonl").exists()
