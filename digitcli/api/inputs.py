"""The Python API's inputs as the input layer's sources: a path stays a path; bytes, PIL images
and NumPy arrays become the bytes of a PNG file of their pixels, so that each is prepared
exactly as `digitcli predict` prepares that file. Neither NumPy nor Pillow is imported here
unless the caller has imported it already (an array or an image can only come from there)."""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Union

from digitcli.core.errors import UsageError

if TYPE_CHECKING:
    import numpy as np
    from PIL import Image

    from digitcli.inputs.sources import Source

# One input: a file's path, its bytes, a PIL image or a NumPy array of its pixels.
Input = Union[str, os.PathLike, bytes, "Image.Image", "np.ndarray"]

PNG_MODES = frozenset({"1", "L", "LA", "P", "RGB", "RGBA", "I", "I;16"})  # Pillow writes these
CHANNELS = (1, 2, 3, 4)  # the last axis of an array of one image: grey, grey + alpha, RGB, RGBA


def is_one(inputs: Any) -> bool:
    """Whether `inputs` is one input (else: an iterable of them, or a batch array (n, h, w))."""
    if isinstance(inputs, (str, os.PathLike, bytes, bytearray, memoryview)):
        return True
    if _is_image(inputs):
        return True
    if _is_array(inputs):  # (n, h, w), (n, h, w, c), (n, 784) are batches; any other is one
        batch = inputs.ndim == 4 or (inputs.ndim == 3 and inputs.shape[-1] not in CHANNELS)
        batch = batch or _flat_rows(inputs)
        return not batch  # (784,) is refused as one array, not read as 784 numbers
    return False


FLAT_SIDE = 28  # MNIST's flat rows (CSV, Kaggle, sklearn's fetch_openml): 784 pixels each


def _flat_rows(array: Any) -> bool:
    """Whether `array` is (n, 784): n pictures of MNIST's 28x28 as flat rows."""
    return array.ndim == 2 and array.shape[-1] == FLAT_SIDE * FLAT_SIDE


def each(inputs: Any) -> Iterator[Any]:
    """The inputs one by one: a batch array's images, an iterable's items."""
    if _is_array(inputs) and _flat_rows(inputs):
        return iter(inputs.reshape(-1, FLAT_SIDE, FLAT_SIDE))
    if _is_array(inputs) and inputs.ndim in (3, 4):
        return iter(inputs)
    try:
        return iter(inputs)
    except TypeError:
        raise UsageError(f"not an input: {_kind(inputs)}; give a path, bytes, a PIL image "
                         "or a NumPy array, or a list of them") from None  # fmt: skip


def as_paths(inputs: Any) -> list[str]:
    """The files, folders and globs `predict_files` and `read_files` take: one path (a str or
    a PathLike, not each of its characters) or an iterable of them."""
    if isinstance(inputs, (str, os.PathLike)):
        inputs = [inputs]
    try:
        items = list(inputs)
    except TypeError:
        raise UsageError(f"not a path: {_kind(inputs)}; give a path or a list of them") from None
    for item in items:
        if not isinstance(item, (str, os.PathLike)):
            raise UsageError(f"not a path: {_kind(item)}; give a path (str or Path)")
    return [os.fsdecode(os.fspath(item)) for item in items]


def path_option(value: Any, name: str) -> str | None:
    """An option that names a file, a folder or a model: a str or a PathLike as its str, None
    left None; a value of another type (a number, bytes) is a UsageError."""
    if value is None:
        return None
    if not isinstance(value, (str, os.PathLike)) or isinstance(os.fspath(value), bytes):
        raise UsageError(f"{name}: give a path (a str or Path), not {_kind(value)}")
    return os.fspath(value)


def as_sources(source: Any, *, recursive: bool = False) -> Iterator[Source]:
    """Each input of `source` (one input, or an iterable or batch array of them) as a source,
    lazily; a folder is its pictures (`recursive`: its sub-folders' too) and a glob its
    matches, as `digitcli predict` lists them; a folder with none is a UsageError."""
    from digitcli.inputs.batches import no_images
    from digitcli.inputs.sources import expand_inputs

    for item in [source] if is_one(source) else each(source):
        if isinstance(item, (str, os.PathLike)) and _listed(item):
            name = os.fsdecode(os.fspath(item))
            found = None
            for found in expand_inputs([name], recursive=recursive):
                yield found
            if found is None:  # a folder with no picture in it, as `digitcli predict` says
                raise no_images([name], recursive=recursive)
        else:
            yield as_source(item)


def _listed(item: str | os.PathLike) -> bool:
    """Whether a path names several pictures: a folder, or a glob that is not a file's name."""
    import glob

    name = os.fsdecode(os.fspath(item))
    if not name or "\0" in name:
        return False
    path = Path(name)
    return path.is_dir() or (not path.exists() and glob.has_magic(name))


def as_source(item: Any) -> Source:
    """One input as a source; a value of another type, or an array that is not an image, is
    a UsageError."""
    from digitcli.inputs.sources import Source  # here: it imports OpenCV

    if isinstance(item, (str, os.PathLike)):
        name = os.fspath(item)
        if isinstance(name, bytes):
            name = os.fsdecode(name)
        if "\0" in name:
            return Source(name.replace("\0", "\\0"), problem="a file name cannot contain a NUL")
        if not name:
            return Source('""', problem="an empty path: name a file")
        return Source(name, path=Path(name))
    if isinstance(item, (bytes, bytearray, memoryview)):
        return Source("<bytes>", data=bytes(item))
    if _is_image(item):
        return Source("<image>", data=_image_png(item))
    if _is_array(item):
        return Source("<array>", data=_array_png(item))
    raise UsageError(
        f"not an input: {_kind(item)}; give a path, bytes, a PIL image or a NumPy array"
    )


def _is_image(item: Any) -> bool:
    return _is_a(item, "PIL.Image", "Image")


def _is_array(item: Any) -> bool:
    return _is_a(item, "numpy", "ndarray")


def _is_a(item: Any, module: str, name: str) -> bool:
    """Whether `item` is a `module.name`, without importing `module`: an object of that class
    exists only once the module has defined it. Another thread may be importing the module
    (it is in sys.modules, the class not yet in it): then `item` is none of its objects."""
    kind = getattr(sys.modules.get(module), name, None)
    return isinstance(kind, type) and isinstance(item, kind)


def _kind(item: Any) -> str:
    return type(item).__name__


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=1)  # lossless; fast rather than small
    return buffer.getvalue()


def _image_png(image: Image.Image) -> bytes:
    """A PIL image's pixels as they are (a photo's EXIF turn is not applied: call
    `ImageOps.exif_transpose` first), as a PNG file's bytes."""
    if image.width * image.height == 0:
        raise UsageError(f"a PIL image of {image.width}x{image.height} pixels has no pixels")
    if image.mode == "F" or image.mode.startswith("I;16"):  # floats; a 16-bit scan's either
        import numpy as np  # byte order (I;16B, I;16L): as an array of their values

        array = np.asarray(image)
        return _array_png(array.astype(np.uint16) if array.dtype.kind == "u" else array)
    try:
        if image.mode in ("La", "RGBa"):  # alpha premultiplied: Pillow cannot save La
            image = image.convert(image.mode[:-1] + "A")
        if image.mode not in PNG_MODES:  # CMYK, YCbCr, LAB, HSV, ...
            alpha = "A" in image.getbands()
            image = image.convert("RGBA" if alpha else "RGB")
        return _png(image)
    except ValueError as error:  # "Operation on closed image"
        raise UsageError(f"a PIL image that cannot be read: {error}") from None


def _array_png(array: np.ndarray) -> bytes:
    """An array of one image's pixels, (h, w), (h, w, 1), (h, w, 2) grey and alpha, (h, w, 3)
    RGB or (h, w, 4) RGBA:
    uint8, bool, integers from 0 to 255 (or uint16, a 16-bit scan), or floats from 0 to 1
    (or to 255), either polarity."""
    import numpy as np
    from PIL import Image

    if array.ndim == 3 and array.shape[-1] == 1:
        array = array[..., 0]
    if array.ndim not in (2, 3) or (array.ndim == 3 and array.shape[-1] not in CHANNELS):
        raise UsageError(
            f"an array of shape {array.shape} is not an image: give (height, width), or "
            "(height, width, 2 to 4) for alpha or colour; a batch as (n, height, width)"
        )
    if array.size == 0:
        raise UsageError(f"an array of shape {array.shape} has no pixels")
    if array.dtype == np.uint16 and array.ndim == 2:
        return _png(Image.fromarray(array.astype(np.uint16)))  # mode I;16
    return _png(Image.fromarray(as_uint8(array)))


def as_uint8(array: np.ndarray) -> np.ndarray:
    import numpy as np

    if array.dtype == np.uint8:
        return np.ascontiguousarray(array)
    if array.dtype == np.bool_:
        return array.astype(np.uint8) * 255
    if array.dtype.kind in "iu":  # not timedelta64, which NumPy counts as an integer
        low, high = int(array.min()), int(array.max())
        if low < 0 or high > 255:
            raise UsageError(f"integer pixels from {low} to {high}: give them from 0 to 255")
        return array.astype(np.uint8)
    if array.dtype.kind == "f":
        if not np.isfinite(array).all():
            raise UsageError("pixels that are not numbers (NaN or infinite)")
        low, high = float(array.min()), float(array.max())
        if low < 0 or high > 255:
            raise UsageError(f"pixels from {low:g} to {high:g}: give them from 0 to 1 (or 255)")
        scale = 255.0 if high <= 1.0 else 1.0
        return np.round(array.astype(np.float64) * scale).astype(np.uint8)
    raise UsageError(f"pixels of type {array.dtype}: give uint8, bool, integers or floats")
