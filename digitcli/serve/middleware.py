"""Pure ASGI middleware (no per-request task or body copy, unlike BaseHTTPMiddleware):
one access-log line per request, and the security headers every response carries."""

from __future__ import annotations

import sys
import time
from typing import TextIO

# The page loads nothing but its own files; images it shows are data: URLs made by the API.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
]


class AccessLog:
    """`POST /v1/predict 200 4.2ms` on stderr once each request has been answered."""

    def __init__(self, app, stream: TextIO | None = None) -> None:
        self.app = app
        self.stream = stream

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        start = time.perf_counter()
        status = 500  # what the client gets if the app fails before it answers

        async def logged_send(message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, logged_send)
        finally:
            elapsed = (time.perf_counter() - start) * 1000
            path = scope["path"].encode("unicode_escape").decode("ascii")  # one line, always
            stream = self.stream or sys.stderr
            stream.write(f"{scope['method']} {path} {status} {elapsed:.1f}ms\n")
            stream.flush()


class SecurityHeaders:
    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def with_headers(message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *SECURITY_HEADERS]
            await send(message)

        await self.app(scope, receive, with_headers)
