"""Run the application under uvicorn: checks the bind address and token, then serves until
SIGTERM or Ctrl-C (uvicorn stops accepting, lets in-flight requests finish, exits 0)."""

from __future__ import annotations

import ipaddress
import os
import signal
import sys
from pathlib import Path

import uvicorn  # at the top: without the serve extra, `digitcli serve` says so in one line

from digitcli.errors import UsageError
from digitcli.serve.app import create_app

TOKEN_ENV = "DIGITCLI_TOKEN"
_MODEL_ENV = "DIGITCLI_SERVE_MODEL"  # how `--workers N` hands the options to each process
_TOKEN_ENV = "DIGITCLI_SERVE_TOKEN"
_QUIET_ENV = "DIGITCLI_SERVE_QUIET"


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serve(
    model: Path | None,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: int = 1,
    token: str | None = None,
    quiet: bool = False,
) -> None:
    """Serve `model` over HTTP until stopped; `quiet`: no access log."""
    token = token or None
    if not is_loopback(host) and token is None:
        raise UsageError(
            f"--host {host} lets other machines in: give --token TOKEN (or set {TOKEN_ENV})"
        )
    _check_port_free(host, port)
    options = {"host": host, "port": port, "log_level": "warning", "access_log": False}
    app = create_app(model, token=token, access_log=not quiet)  # a bad model fails here, once
    where = f"http://{host}:{port}" if ":" not in host else f"http://[{host}]:{port}"
    if not quiet:
        print(f"digitcli serve: {where}/ (API: {where}/v1/predict); Ctrl-C stops", file=sys.stderr)
    _stopping_is_success()
    if workers == 1:
        uvicorn.run(app, **options)
        return
    del app  # each worker process loads its own copy
    os.environ[_MODEL_ENV] = str(model) if model is not None else ""
    if token is not None:
        os.environ[_TOKEN_ENV] = token
    os.environ[_QUIET_ENV] = "1" if quiet else ""
    uvicorn.run(
        "digitcli.serve.server:app_from_environment", factory=True, workers=workers, **options
    )


def _stopping_is_success() -> None:
    """Ctrl-C and SIGTERM are how a server ends: exit 0. Uvicorn finishes the requests under
    way, puts back these handlers and raises the signal again, which lands here."""
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: sys.exit(0))


def _check_port_free(host: str, port: int) -> None:
    """A port in use is a usage error with one line, not uvicorn's log and traceback."""
    import socket

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            raise UsageError(f"cannot listen on {host}:{port}: {error.strerror}") from None


def app_from_environment():
    """What each of `--workers N` processes serves."""
    return create_app(
        os.environ.get(_MODEL_ENV) or None,
        token=os.environ.get(_TOKEN_ENV),
        access_log=not os.environ.get(_QUIET_ENV),
    )
