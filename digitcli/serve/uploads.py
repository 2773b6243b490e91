"""The images of one request: multipart `file` fields, or one raw image body.

Limits are checked before anything is decoded: the body's size (as it arrives, whatever
Content-Length claims), the number of images, the content type, and what decoding them all
would hold (read from their headers: one request cannot keep the server decoding for long).
Each image's own problems (empty, not an image, truncated, too large to decode) are not the
request's: they become that image's error object, as in `digitcli predict`.
"""

from __future__ import annotations

import asyncio

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


async def images_in(request: Request) -> list[Source]:
    """Every image of the request as a `Source`, in order. Raises HTTPProblem when the request
    itself is wrong: too large (413), too many images (413), no image (400), a content type
    that carries no image (415), unless the body's own first bytes are an image's."""
    body = await _body(request)
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if not body:
        raise HTTPProblem(
            400, "no image in the request: send multipart `file` fields or a raw body"
        )
    if kind == "multipart/form-data":
        return _within_decoding_limit(await _form_images(Request(request.scope, _replay(body))))
    if kind.startswith(RAW_TYPES) or not kind or _looks_like_an_image(body):
        return [Source(request.query_params.get("name", RAW_NAME), data=body)]
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


def _looks_like_an_image(body: bytes) -> bool:
    webp = body[:4] == b"RIFF" and body[8:12] == b"WEBP"
    return webp or body.startswith(IMAGE_SIGNATURES)


async def _body(request: Request) -> bytes:
    """The whole body, within MAX_BODY_BYTES and BODY_SECONDS (a body shorter than its
    Content-Length would otherwise hold the request until the connection's deadline)."""
    claimed = request.headers.get("content-length", "")
    if claimed.isdigit() and int(claimed) > MAX_BODY_BYTES:
        raise _too_large()
    chunks: list[bytes] = []
    try:
        await asyncio.wait_for(_read_into(request, chunks), BODY_SECONDS)
    except ClientDisconnect:
        raise HTTPProblem(400, "the client went away before the body ended") from None
    except asyncio.TimeoutError:
        got = sum(map(len, chunks))
        raise HTTPProblem(
            503,
            f"the body did not all arrive within {BODY_SECONDS:g} s ({got:,} bytes came"
            + (f" of the {int(claimed):,} its Content-Length announced)" if claimed else ")"),
        ) from None
    return b"".join(chunks)


async def _read_into(request: Request, chunks: list[bytes]) -> None:
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise _too_large()
        chunks.append(chunk)


def _replay(body: bytes):
    """An ASGI `receive` that gives the body already read, for a second Request to parse."""

    async def receive() -> dict:
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


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
