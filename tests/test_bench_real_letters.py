"""bench/build/real_letters.py: which real characters the letters network learns as not digits,
read from files laid out as CROHME's InkML and the pen set's PNG folder."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from PIL import Image

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO / "bench" / "build")]

import real_letters  # noqa: E402

INKML = """<ink xmlns="http://www.w3.org/2003/InkML">
<annotation type="writer">w1</annotation>
<trace id="0">10 10, 20 20, 30 30</trace>
<trace id="1">10 30, 30 10</trace>
<trace id="2">5 5, 5 40</trace>
<trace id="3">0 0, 8 0, 8 12</trace>
<traceGroup>
 <traceGroup><annotation type="truth">x</annotation>
  <traceView traceDataRef="0"/><traceView traceDataRef="1"/></traceGroup>
 <traceGroup><annotation type="truth">l</annotation><traceView traceDataRef="2"/></traceGroup>
 <traceGroup><annotation type="truth">7</annotation><traceView traceDataRef="3"/></traceGroup>
 <traceGroup><annotation type="truth">\\sum</annotation><traceView traceDataRef="3"/></traceGroup>
</traceGroup>
</ink>
"""


def _crohme(tmp_path: Path) -> Path:
    train = tmp_path / real_letters.CROHME_TRAIN / "set"
    train.mkdir(parents=True)
    (train / "a.inkml").write_text(INKML)
    (train / "b.inkml").write_text(INKML)
    (train / "broken.inkml").write_text("<ink><trace id='0'>1 2, 3</ink>")
    (tmp_path / real_letters.CROHME_HELD).mkdir()
    return tmp_path


def test_crohme_keeps_the_symbols_not_written_as_digits_at_most_so_many_each(tmp_path):
    symbols = list(real_letters.crohme_symbols(_crohme(tmp_path), real_letters.CROHME_TRAIN, 1))
    assert [label for label, _ in symbols] == ["x", "\\sum"]  # no l, no 7; x once
    assert list(real_letters.crohme_symbols(tmp_path, real_letters.CROHME_HELD, 1)) == []
    digits = real_letters.crohme_symbols(tmp_path, real_letters.CROHME_TRAIN, 5, digits=True)
    assert [label for label, _ in digits] == ["7", "7"]  # its digits, learnt as digits


def test_a_symbol_is_drawn_as_ink_its_longer_side_the_box_long(tmp_path):
    (_, ink), _ = real_letters.crohme_symbols(_crohme(tmp_path), real_letters.CROHME_TRAIN, 1)
    assert ink.dtype == np.float32 and 0 <= ink.min() and ink.max() == 1.0
    assert max(ink.shape) == real_letters.BOX + 2 * real_letters.PEN
    assert ink[ink.shape[0] // 2, ink.shape[1] // 2] > 0.5  # where the x's strokes cross


def test_the_pen_set_keeps_digits_and_letters_unlike_digits(tmp_path):
    names = ("CAP_A_0.png", "SMALL_o_1.png", "CAP_I_2.png", "DIGIT_0_3.png", "SMALL_q_4.png")
    for name in (*names, "SMALL_k_5.png"):
        picture = Image.new("RGBA", (30, 40), (255, 255, 255, 0))
        picture.paste((0, 0, 0, 255), (10, 5, 20, 35))
        picture.save(tmp_path / name)
    Image.new("RGBA", (1, 2)).save(tmp_path / "SMALL_i_83.png")
    found = [(c, n) for c, n, _ in real_letters.pen_characters(tmp_path)]
    assert found == [("A", 0), ("0", 3), ("k", 5)]  # no o, I, q (a 0, a 1, a 9)
    _, _, picture = next(real_letters.pen_characters(tmp_path))
    ink = real_letters.coverage(picture)  # a transparent ground is paper
    assert ink[20, 15] == 1.0 and ink[20, 2] == 0.0


def test_nist_s_folders_give_their_characters_but_those_written_as_digits(tmp_path):
    for code, name in (("41", "A"), ("4f", "O"), ("65", "e"), ("7a", "z")):
        folder = tmp_path / f"{name}_x" / f"train_{code}"
        folder.mkdir(parents=True)
        written = np.full((128, 128), 255, np.uint8)
        written[40:90, 60:66] = 0  # black ink on white, as NIST's are
        for number in range(2):
            Image.fromarray(written).save(folder / f"train_{code}_{number:05d}.png")
    found = list(real_letters.nist_characters(tmp_path))
    assert [(character, number) for character, number, _ in found] == [
        ("A", 0), ("A", 1), ("e", 0), ("e", 1)]  # fmt: skip
    ink = found[0][2]
    assert ink.shape == (128, 128) and ink[60, 62] == 1.0 and ink[10, 10] == 0.0


def test_az_tables_give_each_capital_once_but_those_written_as_digits(tmp_path):
    import pyarrow as arrow
    import pyarrow.parquet as parquet

    pictures = np.zeros((4, 784), np.int64)
    pictures[:, 300:310] = 255
    pictures[np.arange(4), np.arange(4)] = 200  # four pictures, each its own
    labels = [0, 0, 18, 10]  # A, A again, S (a 5), K
    columns = {"0": labels} | {str(n + 1): pictures[:, n] for n in range(784)}
    table = arrow.table(columns)
    parquet.write_table(table, tmp_path / "one.parquet")
    parquet.write_table(table, tmp_path / "two.parquet")  # the same rows: none again
    found = list(real_letters.az_letters([tmp_path / "one.parquet", tmp_path / "two.parquet"]))
    assert [(c, number) for c, number, _ in found] == [("A", 1), ("A", 2), ("K", 3)]
    assert found[0][2].shape == (28, 28) and found[0][2].max() == 1.0
