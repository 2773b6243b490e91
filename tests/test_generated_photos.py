"""tests/generators/make_photos.py's user-style files: the default mix, and slips lying on desks."""

from digitcli.imaging.images import open_image
from digitcli.imaging.sheet import on_the_sheet

import make_photos


def test_slips_are_photos_of_a_sheet_and_leave_the_mix_as_it_was(tmp_path):
    """`--slips` makes every file a slip of paper on a desk, which `predict` and `read` find;
    without it a seed draws the same styles as before the option."""
    x, y = make_photos.load_mnist("t10k")
    slips = make_photos.make_photo_set(x[:4], y[:4], tmp_path / "slips", 4, seed=1, slips=True)
    assert [path.name for path, _ in slips] == [f"{i:05d}_slip.jpg" for i in range(4)]
    assert all(on_the_sheet(open_image(path)) is not None for path, _ in slips)
    mix = make_photos.make_photo_set(x[:6], y[:6], tmp_path / "mix", 6, seed=0)
    styles = [path.stem.split("_", 1)[1] for path, _ in mix]
    assert styles == ["drawing_rgba", "gray16", "paper_jpeg", "gray16", "dark_canvas", "gray16"]
