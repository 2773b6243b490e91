"""Run the application under uvicorn: checks the bind address and token, binds the socket,
then serves until SIGTERM or Ctrl-C (uvicorn stops accepting, gives the requests under way up
to `Limits.shutdown_seconds` to finish, exits 0). Each connection runs behind `GuardedHTTP`'s
deadlines and cap."""

from __future__ import annotations

import asyncio
import ipaddress
import json
import logging
import os
import re
import signal
import socket
import sys
import warnings
from dataclasses import asdict
from pathlib import Path

import uvicorn  # at the top: without the serve extra, `digitcli serve` says so in one line
from uvicorn.supervisors import Multiprocess

from digitcli.core.config import DEBUG_ENV
from digitcli.core.errors import UsageError
from digitcli.inputs.workers import end_with_parent
from digitcli.serve.app import create_app
from digitcli.serve.guard import DEFAULT_LIMITS, GuardedHTTP, Limits
from digitcli.serve.middleware import LoopbackHosts

TOKEN_ENV = "DIGITCLI_TOKEN"
_MODEL_ENV = "DIGITCLI_SERVE_MODEL"  # how `--workers N` hands the options to each process
_TOKEN_ENV = "DIGITCLI_SERVE_TOKEN"
_QUIET_ENV = "DIGITCLI_SERVE_QUIET"
_LIMITS_ENV = "DIGITCLI_SERVE_LIMITS"
_PARENT_ENV = "DIGITCLI_SERVE_PARENT"  # the process whose end ends every worker
# What an Authorization header carries as the same bytes everywhere: visible ASCII. Any other
# character reaches the server as its Latin-1 bytes (if the client sends it at all).
TOKEN_TEXT = re.compile(r"[!-~]+")


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serve(
    model: Path | str | None,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: int = 1,
    token: str | None = None,
    quiet: bool = False,
    limits: Limits = DEFAULT_LIMITS,
    as_json: bool = False,
) -> None:
    """Serve `model` over HTTP until stopped; `quiet`: no access log. `port` 0: one the
    system picks, announced on stderr (`as_json`: on stdout, see `_announce`)."""
    if token == "":
        raise UsageError(
            "--token is empty: it would let every client in; give a token, or leave --token "
            "out to serve 127.0.0.1 without one"
        )
    if token is not None and not TOKEN_TEXT.fullmatch(token):
        raise UsageError(
            "--token: use printable ASCII characters only (no spaces), "
            "as an Authorization header can carry"
        )
    if not is_loopback(host) and token is None:
        raise UsageError(
            f"--host {host} lets other machines in: give --token TOKEN (or set {TOKEN_ENV})"
        )
    workers = _within_cores(workers)
    listener = _listen(host, port)
    app = create_app(model, token=token, access_log=not quiet)  # a bad model fails here, once
    served = app.state.model
    app = guarded(app, token)
    port = listener.getsockname()[1]
    _announce(host, port, workers, served, as_json=as_json, quiet=quiet)
    _stopping_is_success()
    GuardedHTTP.use(limits)
    if workers == 1:
        _log_apart_from_native_chatter()
        uvicorn.Server(_config(app, limits)).run(sockets=[listener])
        return
    del app  # each worker process loads its own copy
    os.environ[_MODEL_ENV] = str(model) if model is not None else ""
    if token is not None:
        os.environ[_TOKEN_ENV] = token
    os.environ[_QUIET_ENV] = "1" if quiet else ""
    os.environ[_LIMITS_ENV] = json.dumps(asdict(limits))
    os.environ[_PARENT_ENV] = str(os.getpid())
    config = _config("digitcli.serve.server:app_from_environment", limits, workers=workers)
    Multiprocess(config, sockets=[listener]).run()


def _announce(
    host: str, port: int, workers: int, model: dict, *, as_json: bool, quiet: bool
) -> None:
    """Where the server listens: a line on stderr for people (not with `quiet`), or with
    `as_json` one JSON object on stdout for scripts (with `quiet` too: it is the result)."""
    where = f"http://{host}:{port}" if ":" not in host else f"http://[{host}]:{port}"
    if as_json:
        said = {"url": f"{where}/", "api": f"{where}/v1/predict", "host": host, "port": port}
        print(json.dumps({**said, "workers": workers, "model": model}), flush=True)
    elif not quiet:
        print(f"digitcli serve: {where}/ (API: {where}/v1/predict); Ctrl-C stops", file=sys.stderr)


def _within_cores(workers: int) -> int:
    """At most one worker process a core this process may run on: each holds its own model
    and decoding buffers, and more only take turns on the cores (64 on two cores took 29 s
    to answer and 3.2 GB more memory). Says so on stderr when it cuts `workers` down."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    cores = cores or 1
    if workers <= cores:
        return workers
    print(
        f"digitcli serve: warning: --workers {workers} is more than the {cores} CPU cores here: "
        f"serving with {cores}",
        file=sys.stderr,
    )
    return cores


def _config(app, limits: Limits, **options) -> uvicorn.Config:
    """Uvicorn's settings (which set up its logging: the filter comes after)."""
    config = uvicorn.Config(
        app,
        http=GuardedHTTP,
        ws="none",
        log_level="warning",
        access_log=False,
        timeout_keep_alive=limits.keep_alive_seconds,
        timeout_graceful_shutdown=limits.shutdown_seconds,
        factory=isinstance(app, str),
        **options,
    )
    _quiet_cut_off()
    return config


class _NotCancelled(logging.Filter):
    """Drops uvicorn's traceback for a request the shutdown cancelled when its time was up:
    the line before it, "Cancel N running task(s), timeout graceful shutdown exceeded", says
    all there is to say."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        return not isinstance(error, asyncio.CancelledError)


def _quiet_cut_off() -> None:
    logging.getLogger("uvicorn.error").addFilter(_NotCancelled())


def _log_apart_from_native_chatter() -> None:
    """Keep the access log (stderr) to its lines: native libraries write their warnings to
    file descriptor 2 behind Python's back (libpng's "iCCP: too short", one a request), and
    Pillow's and NumPy's Python warnings would follow them. Python's stderr moves to a copy of
    descriptor 2, descriptor 2 itself to /dev/null, uvicorn's log handlers with it, and Python
    warnings are ignored; all of it stays as it was under $DIGITCLI_DEBUG."""
    if os.environ.get(DEBUG_ENV):
        return
    sys.stderr.flush()
    log = os.fdopen(os.dup(2), "w", buffering=1, errors="backslashreplace")
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    os.close(devnull)
    old, sys.stderr = sys.stderr, log
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        for handler in logging.getLogger(name).handlers:
            if isinstance(handler, logging.StreamHandler) and handler.stream is old:
                handler.setStream(log)
    warnings.simplefilter("ignore")


def _stopping_is_success() -> None:
    """Ctrl-C and SIGTERM are how a server ends: exit 0. Uvicorn finishes the requests under
    way, puts back these handlers and raises the signal again, which lands here."""
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: sys.exit(0))


def _listen(host: str, port: int) -> socket.socket:
    """The server's socket, bound here so that a port in use is a usage error with one line
    (not uvicorn's log and traceback), and port 0's real number is known before it is told."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind((host, port))
        listener.listen(2048)  # uvicorn's backlog: clients queue from the announcement on
    except OSError as error:
        listener.close()
        raise UsageError(f"cannot listen on {host}:{port}: {error.strerror}") from None
    listener.set_inheritable(True)
    return listener


def app_from_environment():
    """What each of `--workers N` processes serves. A worker ends with the server process,
    however that ends: killed (kill -9, the OOM killer), it would leave them holding the
    port and a model's memory each."""
    if parent := os.environ.get(_PARENT_ENV):
        end_with_parent(int(parent))
    GuardedHTTP.use(Limits(**json.loads(os.environ.get(_LIMITS_ENV) or "{}")))
    _log_apart_from_native_chatter()
    _quiet_cut_off()
    token = os.environ.get(_TOKEN_ENV)
    app = create_app(
        os.environ.get(_MODEL_ENV) or None, token=token, access_log=not os.environ.get(_QUIET_ENV)
    )
    return guarded(app, token)


def guarded(app, token: str | None):
    """What the server runs: without a token (loopback only), `app` answering only requests
    addressed to a loopback name (no DNS rebinding); with one, `app` (its clients are other
    machines, by names the server cannot know, and a rebound page has no token)."""
    return LoopbackHosts(app) if token is None else app
