"""Downloading Keras' mnist.npz when ./MNIST/ holds no data: fetched over HTTP with progress,
its sha256 checked, its arrays checked as any .npz is, and written atomically, so a broken mirror
or a cut connection never leaves a half file behind. Networking kept out of the readers."""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import os
import urllib.error
import urllib.request
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

from digitcli.core.atomic import write_whole
from digitcli.core.config import MNIST_URL_ENV
from digitcli.core.errors import DataError, first_line
from digitcli.core.version import VERSION as __version__
from digitcli.datasets.npz import npz_splits

MNIST_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"
MNIST_SHA256 = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"
NPZ_NAME = "mnist.npz"  # what the download writes

Progress = Callable[[int, int], None]  # (bytes done, bytes in all; 0 when the server won't say)
# What shows a download to people: given the URL and the file written, a context around the
# download that yields its Progress and ends without an error once the file is written whole.
Watch = Callable[[str, Path], AbstractContextManager[Progress]]


def download_mnist(
    dest_dir: Path,
    *,
    url: str | None = None,
    sha256: str | None = None,
    progress: Progress | None = None,
    watch: Watch | None = None,
    timeout: float = 60.0,
) -> Path:
    """Download Keras' mnist.npz into `dest_dir` and return the path of the file written.

    The URL is `url`, else $DIGITCLI_MNIST_URL, else Keras' own. The file from Keras' URL must
    match MNIST_SHA256; from any other URL it is checked against `sha256` only when one is
    given. Either way it must hold valid MNIST arrays, and it is written atomically or not at
    all. `progress(done, total)` is called as bytes arrive; `watch(url, file)`, given, yields
    the progress instead.
    """
    url = url or os.environ.get(MNIST_URL_ENV) or MNIST_URL
    expected = sha256 or (MNIST_SHA256 if url == MNIST_URL else None)
    dest_dir = Path(dest_dir)
    target = dest_dir / NPZ_NAME
    with watch(url, target) if watch else contextlib.nullcontext(progress) as shown:
        data = _fetch(url, shown, timeout)
        digest = hashlib.sha256(data).hexdigest()
        if expected and digest != expected.lower():
            raise DataError(f"{url}: sha256 {digest} does not match the expected {expected}")
        npz_splits(url, data)  # a broken mirror must not leave a broken mnist.npz behind
        try:
            dest_dir.mkdir(parents=True, exist_ok=True)
            write_whole(target, data)
        except OSError as error:
            raise DataError(f"{target}: cannot write ({first_line(error)})") from error
    return target


def _fetch(url: str, progress: Progress | None, timeout: float) -> bytes:
    request = urllib.request.Request(url, headers={"User-Agent": f"digitcli/{__version__}"})
    chunks: list[bytes] = []
    done = total = 0
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            total = int(response.headers.get("Content-Length") or 0)
            if progress:
                progress(0, total)
            while chunk := response.read(1 << 16):
                chunks.append(chunk)
                done += len(chunk)
                if progress:
                    progress(done, total)
    except urllib.error.HTTPError as error:
        raise DataError(f"cannot download {url}: HTTP {error.code} {error.reason}") from error
    except urllib.error.URLError as error:
        raise DataError(f"cannot download {url}: {first_line(error.reason)}") from error
    except (OSError, http.client.HTTPException, ValueError) as error:
        raise DataError(f"cannot download {url}: {first_line(error)}") from error
    if total and done != total:
        raise DataError(f"cannot download {url}: got {done} of {total} bytes")
    return b"".join(chunks)
