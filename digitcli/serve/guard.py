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
    header_bytes: int = 64 * 1024  # h11 stops at 16 KiB, nginx at 32 KiB
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


BUSY = json.dumps({"error": "the server has too many connections: try again", "status": 503})
BUSY_RESPONSE = (
    "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\n"
    f"content-length: {len(BUSY)}\r\nconnection: close\r\n\r\n{BUSY}"
).encode()


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
        self.stage = "head"  # "head": its headers are awaited; "body"; "done": answering
        self.header_bytes = 0
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
        if self.inner is None:
            return
        if self.watcher is not None:
            try:
                self.watcher.feed_data(data)
            except (httptools.HttpParserError, httptools.HttpParserUpgrade):
                self.watcher = None  # the inner parser answers a bad request and closes
        if self.header_bytes > self.limits.header_bytes:
            self.transport.close()
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

    # The watcher's callbacks (httptools.HttpRequestParser)
    def on_message_begin(self) -> None:
        if self.stage == "done":  # the next request on a kept-alive connection
            self.stage, self.header_bytes = "head", 0
            self._start_clock(self.limits.header_seconds)

    def on_url(self, url: bytes) -> None:
        self.header_bytes += len(url)

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
