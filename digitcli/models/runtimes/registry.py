"""Which backend opens which file type: backends register, `backend_for(path)` asks.

The shape of simonw/llm's model registry: each backend module registers the file types it opens
(`@register("tflite", ".tflite")`), and nothing else keeps a list of formats. A file type is a
file name ending (".onnx") or, for formats that are directories, a file the directory holds
("saved_model.pb").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class FileType:
    kind: str  # what ModelRef.kind and export formats call it: "tflite", "savedmodel", ...
    marker: str  # ".tflite": a file ending so; "saved_model.pb": a directory holding that file
    backend: type  # a runtime class, constructed as backend(path, metadata=...)

    def opens(self, path: Path) -> bool:
        if self.marker.startswith("."):
            return path.is_file() and path.suffix.lower() == self.marker
        return path.is_dir() and (path / self.marker).is_file()


FILE_TYPES: dict[str, FileType] = {}


def register(kind: str, marker: str) -> Callable[[type], type]:
    """Class decorator: the runtime class opens files of type `kind` (see `FileType`)."""

    def add(backend: type) -> type:
        FILE_TYPES[kind] = FileType(kind, marker, backend)
        return backend

    return add


def file_type_of(path: Path) -> FileType | None:
    """The registered file type `path` is, if any."""
    return next((t for t in FILE_TYPES.values() if t.opens(Path(path))), None)


def described() -> str:
    """The registered file types in words, for error messages: ".keras, .tflite, ..."."""
    return ", ".join(
        t.marker if t.marker.startswith(".") else f"a directory with {t.marker}"
        for t in FILE_TYPES.values()
    )
