"""Deadlines and a cap for the server's connections, which uvicorn does not bound.

Uvicorn (0.54) gives a client all the time it likes to send a request's headers and body, and
takes every connection until the process runs out of files: a few hundred clients trickling
bytes kept the server up after SIGTERM and left /healthz unanswered. `GuardedHTTP` is the
protocol uvicorn runs for each connection (its `http=` option): uvicorn's own, behind a second
httptools parser that only watches where each request's headers and body end. It closes a
connection whose request headers have not all come `header_seconds` after its first byte (or
after the connection opened), or run over `header_bytes`, or whose body has not all come
`body_seconds` after its headers. Past the cap, a new connection closes the oldest one still
waiting for its headers; when every connection is busy with a request it is answered 503.
(Uvicorn's `limit_concurrency` would not do: it answers 503 to every request once that many
connections are open, idle ones included, so /healthz would fail all the same.)
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import ClassVar

import httptools
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

FILES_KEPT = 32  # the server's own files: ~17 at rest (model, log, event loop, pipes)


@dataclass(frozen=True)
class Limits:
    header_seconds: float = 10.0  # any real client sends its headers in one packet
    header_bytes: int = 64 * 1024  # h11 stops at 16 KiB, nginx at 32 KiB: answered 431
    url_bytes: int = 16 * 1024  # a longer request line is answered 414 (nginx: 8 KiB)
    body_seconds: float = 60.0  # the 10 MB body limit at 170 KB/s
    keep_alive_seconds: int = 5  # idle between requests (uvicorn's default)
    shutdown_seconds: int = 30  # after SIGTERM, for the requests under way
    connections: int = 1000  # at most; fewer where the open-file limit is lower


DEFAULT_LIMITS = Limits()


def connection_cap(limits: Limits) -> int:
    """Connections one process takes: each may hold a second file (a page's asset)."""
    try:
        import resource
    except ImportError:  # Windows
        return limits.connections
    files, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if files == resource.RLIM_INFINITY:
        return limits.connections
    return max(1, min(limits.connections, (files - FILES_KEPT) // 2))


def closing_response(status: int, reason: str, message: str) -> bytes:
    """A whole HTTP response, JSON as the API's errors, after which the connection closes:
    what the guard answers itself, where uvicorn would only drop the connection."""
    body = json.dumps({"error": message, "status": status})
    return (
        f"HTTP/1.1 {status} {reason}\r\ncontent-type: application/json\r\n"
        f"content-length: {len(body)}\r\nconnection: close\r\n\r\n{body}"
    ).encode()


BUSY_RESPONSE = closing_response(
    503, "Service Unavailable", "the server has too many connections: try again"
)


class GuardedHTTP(asyncio.Protocol):
    """One connection: uvicorn's HttpToolsProtocol, closed when a deadline passes."""

    limits: ClassVar[Limits] = DEFAULT_LIMITS
    cap: ClassVar[int] = connection_cap(limits)
    _open: ClassVar[dict[GuardedHTTP, None]] = {}  # oldest first

    @classmethod
    def use(cls, limits: Limits) -> None:
        cls.limits, cls.cap = limits, connection_cap(limits)

    def __init__(self, **options) -> None:  # what uvicorn hands its protocol class
        self.inner: HttpToolsProtocol | None = HttpToolsProtocol(**options)
        self.watcher = httptools.HttpRequestParser(self)  # calls the on_* methods below
        self.transport: asyncio.Transport | None = None
        self.stage = "head"  # "head": its headers are awaited; "body"; "done": answering;
        # "refused": answered 414 or 431 by the guard itself, closing
        self.header_bytes = 0
        self.url_bytes = 0
        self.timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport) -> None:
        self.transport = transport
        if len(self._open) >= self.cap and not self._close_oldest_waiting():
            self.inner = None
            transport.write(BUSY_RESPONSE)
            transport.close()
            return
        self._open[self] = None
        self._start_clock(self.limits.header_seconds)
        self.inner.connection_made(transport)

    def data_received(self, data: bytes) -> None:
        if self.inner is None or self.stage == "refused":
            return
        if self.watcher is not None:
            try:
                self.watcher.feed_data(data)
            except (httptools.HttpParserError, httptools.HttpParserUpgrade):
                self.watcher = None  # the inner parser answers a bad request and closes
        if self._refused_head():
            return
        self.inner.data_received(data)

    def eof_received(self) -> bool | None:
        return self.inner.eof_received() if self.inner is not None else None

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_clock()
        self._open.pop(self, None)
        if self.inner is not None:
            self.inner.connection_lost(exc)

    def pause_writing(self) -> None:
        if self.inner is not None:
            self.inner.pause_writing()

    def resume_writing(self) -> None:
        if self.inner is not None:
            self.inner.resume_writing()

    def _refused_head(self) -> bool:
        """Answer 414 or 431 and close, where the request line or headers run over the limits
        (the request has not reached uvicorn whole, so nothing else answers it)."""
        limits = self.limits
        if self.url_bytes > limits.url_bytes:
            answer = closing_response(
                414, "URI Too Long", f"request line over {limits.url_bytes // 1024} KiB"
            )
        elif self.header_bytes > limits.header_bytes:
            answer = closing_response(
                431,
                "Request Header Fields Too Large",
                f"request headers over {limits.header_bytes // 1024} KiB",
            )
        else:
            return False
        self.stage = "refused"  # what more comes is dropped; uvicorn's protocol never sees it
        self._stop_clock()
        self.transport.write(answer)
        self.transport.close()
        return True

    # The watcher's callbacks (httptools.HttpRequestParser)
    def on_message_begin(self) -> None:
        if self.stage == "done":  # the next request on a kept-alive connection
            self.stage, self.header_bytes, self.url_bytes = "head", 0, 0
            self._start_clock(self.limits.header_seconds)

    def on_url(self, url: bytes) -> None:
        self.header_bytes += len(url)
        self.url_bytes += len(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self.header_bytes += len(name) + len(value) + 4

    def on_headers_complete(self) -> None:
        self.stage = "body"
        self._start_clock(self.limits.body_seconds)

    def on_message_complete(self) -> None:
        self.stage = "done"  # what follows is uvicorn's: the answer, then keep-alive
        self._stop_clock()

    def _start_clock(self, seconds: float) -> None:
        self._stop_clock()
        self.timer = asyncio.get_running_loop().call_later(seconds, self._too_slow)

    def _stop_clock(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None

    def _too_slow(self) -> None:
        self.timer = None
        if self.transport is not None and not self.transport.is_closing():
            self.transport.close()

    def _close_oldest_waiting(self) -> bool:
        for connection in self._open:
            if connection.stage == "head" and not connection.transport.is_closing():
                connection.transport.close()
                return True
        return False
