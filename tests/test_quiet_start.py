"""TensorFlow's native lines stay off a piped stderr where they are emitted: on a machine with a
CUDA driver library and no usable GPU, TensorFlow's first look for devices fails `cuInit` and
says so in a native `E0000 ... cuda_platform.cc:52]` line (issue 50, h14)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import subprocess_env

pytestmark = pytest.mark.trains  # starts training processes

# A CUDA driver whose cuInit fails as it does on a machine without a GPU: what TensorFlow meets.
NO_GPU_DRIVER = """
int cuInit(unsigned int flags) { return 999; }
int cuDriverGetVersion(int *version) { *version = 12000; return 0; }
int cuDeviceGetCount(int *count) { *count = 0; return 999; }
"""


@pytest.fixture(scope="module")
def no_gpu_driver(tmp_path_factory) -> Path:
    compiler = shutil.which("cc") or shutil.which("gcc")
    if compiler is None:
        pytest.skip("needs a C compiler to build a stand-in CUDA driver")
    folder = tmp_path_factory.mktemp("driver")
    (folder / "cuda.c").write_text(NO_GPU_DRIVER)
    library = folder / "libcuda.so.1"
    subprocess.run(
        [compiler, "-shared", "-fPIC", "-o", str(library), str(folder / "cuda.c")], check=True
    )
    return folder


@pytest.mark.parametrize("level", [None, "2", "0"])  # digitcli's default; a user's own settings
def test_training_without_a_gpu_prints_digitcli_lines_first(
    no_gpu_driver, tiny_data, tmp_path, level
):
    env = subprocess_env(LD_LIBRARY_PATH=str(no_gpu_driver))
    env.pop("TF_CPP_MIN_LOG_LEVEL", None)
    env.pop("CUDA_VISIBLE_DEVICES", None)
    if level is not None:
        env["TF_CPP_MIN_LOG_LEVEL"] = level
    command = [sys.executable, "-m", "digitcli", "train", "--epochs", "1", "--data", str(tiny_data)]
    command += ["--fonts", "0", "--augment", "0", "-o", str(tmp_path / "m")]
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=240)
    assert done.returncode == 0, done.stderr
    lines = done.stderr.splitlines()
    assert lines and lines[0].startswith("Training "), lines[:3]
    assert not any("cuInit" in line for line in lines), lines
