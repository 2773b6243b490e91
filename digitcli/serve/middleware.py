"""Pure ASGI middleware (no per-request task or body copy, unlike BaseHTTPMiddleware):
one access-log line per request, the security headers every response carries, and, for a
server without a token, only loopback names in the Host header (no DNS rebinding)."""

from __future__ import annotations

import ipaddress
import json
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


ANY_HOST_PATHS = ("/healthz",)  # tells nothing: a load balancer checks it by any name


class LoopbackHosts:
    """Answers 400 to a request whose Host header is not a loopback name (localhost,
    127.0.0.0/8, ::1): what a server without a token, which listens on loopback only, is
    addressed by. A page on evil.example whose name was rebound to 127.0.0.1 sends its own
    name, and cannot read the server through the victim's browser."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or scope["path"] in ANY_HOST_PATHS:
            return await self.app(scope, receive, send)
        hosts = [value for name, value in scope["headers"] if name == b"host"]
        if len(hosts) == 1 and is_loopback_name(hosts[0].decode("latin-1")):
            return await self.app(scope, receive, send)
        body = json.dumps({"error": REFUSED_HOST, "status": 400}).encode()
        headers = [(b"content-type", b"application/json"), *SECURITY_HEADERS]
        await send({"type": "http.response.start", "status": 400, "headers": headers})
        await send({"type": "http.response.body", "body": body})


REFUSED_HOST = (
    "the Host header names no loopback address: this server (no --token) answers "
    "localhost, 127.0.0.1 and ::1 only"
)


def is_loopback_name(host: str) -> bool:
    """`host` (a Host header: a name or address, and maybe a port) names this machine's
    loopback: localhost, 127.0.0.0/8, [::1]."""
    host = host.strip().lower()
    if host.startswith("["):  # [::1]:8000
        name = host[1 : host.find("]")] if "]" in host else ""
    else:
        name = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
    if name.rstrip(".") == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False
