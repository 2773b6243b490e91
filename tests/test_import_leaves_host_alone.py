"""`import digitcli` changes nothing of the program that imports it (issue 88): no environment
variable set, no library's threads changed, no TensorFlow imported; digitcli's errors can be
imported from `digitcli`; `(n, 784)` arrays are n pictures."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np

from conftest import subprocess_env

PROBE = """
import json, os, sys
import cv2
cv2.setNumThreads(5)
before = dict(os.environ)
import digitcli
from digitcli import DigitcliError, ModelError, UsageError, DataError
[answer] = digitcli.load("bundled").predict("docs/examples/drawing.png")
print(json.dumps({
    "env": sorted(set(os.environ.items()) ^ set(before.items())),
    "cv2_threads": cv2.getNumThreads(),
    "errors": [issubclass(e, DigitcliError) for e in (ModelError, UsageError, DataError)],
    "digit": answer.digit,
}))
"""


def test_importing_and_predicting_leave_the_host_program_alone() -> None:
    env = subprocess_env()
    env.pop("TF_CPP_MIN_LOG_LEVEL", None)
    done = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, env=env, check=True,
        cwd=str(__import__("conftest").REPO),
    )  # fmt: skip
    seen = json.loads(done.stdout.splitlines()[-1])
    assert seen["env"] == []
    assert seen["cv2_threads"] == 5
    assert seen["errors"] == [True, True, True]


def test_import_digitcli_and_its_errors_imports_no_tensorflow() -> None:
    code = (
        "import sys, digitcli; from digitcli import ModelError, DigitcliError; "
        "print('tensorflow' in sys.modules, 'cv2' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=subprocess_env()
    )
    assert done.stdout.split() == ["False", "False"]


def test_flat_mnist_rows_are_one_picture_each(tiny_model) -> None:
    import digitcli

    model = digitcli.load(str(tiny_model))
    rows = np.zeros((5, 784), dtype=np.uint8)
    rows[:, 300:310] = 255
    answers = model.predict(rows)
    assert isinstance(answers, list) and len(answers) == 5


def test_one_flat_row_is_a_list_of_one_picture(tiny_model) -> None:
    import digitcli

    rows = np.zeros((1, 784), dtype=np.uint8)
    rows[0, 300:310] = 255
    answers = digitcli.load(str(tiny_model)).predict(rows)
    assert isinstance(answers, list) and len(answers) == 1
