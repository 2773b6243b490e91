"""The images of one request: multipart `file` fields, or one raw image body.

Limits are checked before anything is decoded: the body's size (as it arrives, whatever
Content-Length claims), the number of images, the content type, and what decoding them all
would hold (read from their headers: one request cannot keep the server decoding for long).

A body waits on disk while it arrives (`received`): only its first SPOOL_BYTES stay in memory,
so a thousand slow clients hold a few MB of the server's memory, not 10 MB each, and all the
bodies being received at once hold at most MAX_SPOOLED_BYTES of disk (past it: 503). Its images
are read into memory only when its turn comes to be answered (`images_in`, one request at a
time), and let go when it has been.
Each image's own problems (empty, not an image, truncated, too large to decode) are not the
request's: they become that image's error object, as in `digitcli predict`.
"""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
from collections.abc import AsyncIterator

from starlette.datastructures import UploadFile
from starlette.requests import ClientDisconnect, Request

from digitcli.imaging.decoding import decoded_bytes
from digitcli.inputs.sources import Source
from digitcli.serve.errors import HTTPProblem

MAX_BODY_BYTES = 10 * 2**20  # a request's body: a few phone photos, or hundreds of scans
MAX_IMAGES = 256  # images in one request: predict's batch
MAX_REQUEST_DECODED_BYTES = 256 * 2**20  # all of a request's images decoded, one after another
RAW_TYPES = ("image/", "application/octet-stream")
RAW_NAME = "upload"  # a raw body's `file`, unless ?name= says otherwise
BODY_SECONDS = 30.0  # for the whole body to arrive (a 10 MB one at 350 KB/s): else 503
SPOOL_BYTES = 64 * 2**10  # of a body, kept in memory while it arrives; the rest waits on disk
MAX_SPOOLED_BYTES = 512 * 2**20  # of all the bodies being received at once: past it, 503
REPLAY_CHUNK = 64 * 2**10  # a spooled body is parsed in pieces this large


class Body:
    """A request's body as it arrived: in a temporary file, in memory up to SPOOL_BYTES."""

    def __init__(self) -> None:
        self.file = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115
        self.size = 0

    def read(self) -> bytes:
        self.file.seek(0)
        return self.file.read()

    def head(self, size: int = 16) -> bytes:
        """The body's first `size` bytes (what says which format it is)."""
        self.file.seek(0)
        return self.file.read(size)

    def receive(self):
        """An ASGI `receive` that gives the body again, in pieces, for a Request to parse."""
        self.file.seek(0)

        async def receive() -> dict:
            piece = self.file.read(REPLAY_CHUNK)
            return {"type": "http.request", "body": piece, "more_body": len(piece) > 0}

        return receive


class _Spooled:
    """The bytes of the bodies being received at once, across the process's requests (one
    event loop: no lock needed)."""

    held = 0


@contextlib.asynccontextmanager
async def received(request: Request) -> AsyncIterator[Body]:
    """The whole body, within MAX_BODY_BYTES and BODY_SECONDS (a body shorter than its
    Content-Length would otherwise hold the request until the connection's deadline), spooled
    to disk; removed when the request has been answered."""
    claimed = request.headers.get("content-length", "")
    if claimed.isdigit() and int(claimed) > MAX_BODY_BYTES:
        raise _too_large()
    body = Body()
    try:
        try:
            await asyncio.wait_for(_read_into(request, body), BODY_SECONDS)
        except ClientDisconnect:
            raise HTTPProblem(400, "the client went away before the body ended") from None
        except asyncio.TimeoutError:
            raise HTTPProblem(
                503,
                f"the body did not all arrive within {BODY_SECONDS:g} s ({body.size:,} bytes "
                "came"
                + (f" of the {int(claimed):,} its Content-Length announced)" if claimed else ")"),
            ) from None
        yield body
    finally:
        _Spooled.held -= body.size
        body.file.close()


async def _read_into(request: Request, body: Body) -> None:
    async for chunk in request.stream():
        body.size += len(chunk)
        _Spooled.held += len(chunk)
        if body.size > MAX_BODY_BYTES:
            raise _too_large()
        if _Spooled.held > MAX_SPOOLED_BYTES:
            raise HTTPProblem(
                503,
                "the server is receiving too many uploads at once: try again shortly",
                {"Retry-After": "5"},
            )
        body.file.write(chunk)


async def images_in(request: Request, body: Body) -> list[Source]:
    """Every image of the request's `body` (see `received`) as a `Source`, in order, read into
    memory. Raises HTTPProblem when the request itself is wrong: too large (413), too many
    images (413), no image (400), a content type that carries no image (415), unless the
    body's own first bytes are an image's."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if not body.size:
        raise HTTPProblem(
            400, "no image in the request: send multipart `file` fields or a raw body"
        )
    if kind == "multipart/form-data":
        return _within_decoding_limit(await _form_images(Request(request.scope, body.receive())))
    if kind.startswith(RAW_TYPES) or not kind or _looks_like_an_image(body.head()):
        return [Source(request.query_params.get("name", RAW_NAME), data=body.read())]
    raise HTTPProblem(
        415, f"content type {kind!r} carries no image: use multipart/form-data or image/*"
    )


# The first bytes of the image files people send. `curl --data-binary @x.png` says
# application/x-www-form-urlencoded, whatever the file is: the bytes say what it is.
IMAGE_SIGNATURES = (
    b"\x89PNG\r\n\x1a\n",
    b"\xff\xd8\xff",  # JPEG
    b"GIF87a",
    b"GIF89a",
    b"BM",
    b"II*\x00",  # TIFF, little-endian
    b"MM\x00*",  # TIFF, big-endian
)


def _looks_like_an_image(head: bytes) -> bool:
    webp = head[:4] == b"RIFF" and head[8:12] == b"WEBP"
    return webp or head.startswith(IMAGE_SIGNATURES)


def _within_decoding_limit(sources: list[Source]) -> list[Source]:
    """The sources, unless decoding them all would hold more than MAX_REQUEST_DECODED_BYTES
    (413). One image's own limit is `digitcli.imaging.decoding`'s, answered in its error object."""
    total = sum(decoded_bytes(source.data or b"") for source in sources)
    if total > MAX_REQUEST_DECODED_BYTES:
        raise HTTPProblem(
            413,
            f"the images decode to about {total / 2**20:,.0f} MB in all, over "
            f"{MAX_REQUEST_DECODED_BYTES // 2**20} MB a request: send fewer in each",
        )
    return sources


def _too_large() -> HTTPProblem:
    return HTTPProblem(413, f"request body over {MAX_BODY_BYTES // 2**20} MB: send fewer images")


async def _form_images(request: Request) -> list[Source]:
    try:
        form = await request.form(max_files=MAX_IMAGES + 1, max_fields=MAX_IMAGES + 16)
    except Exception as error:  # python-multipart's and Starlette's parse errors
        message = str(getattr(error, "detail", error)) or "malformed multipart body"
        if "too many files" in message.lower():
            raise _too_many() from None
        raise HTTPProblem(400, f"malformed multipart body: {message}") from None
    uploads = [value for _, value in form.multi_items() if isinstance(value, UploadFile)]
    if len(uploads) > MAX_IMAGES:
        raise _too_many()
    if not uploads and "file" in form:
        raise HTTPProblem(
            400,
            "the `file` field came without a filename, so as text, not an image: give each "
            "file part a filename (curl -F file=@seven.png does)",
        )
    if not uploads:
        raise HTTPProblem(400, "no image in the request: send the images as `file` fields")
    sources = []
    for index, upload in enumerate(uploads, 1):
        sources.append(Source(upload.filename or f"{RAW_NAME}-{index}", data=await upload.read()))
    await form.close()
    return sources


def _too_many() -> HTTPProblem:
    return HTTPProblem(413, f"more than {MAX_IMAGES} images in one request: send them in parts")
