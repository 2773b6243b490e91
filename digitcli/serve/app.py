"""The ASGI application: the API around one loaded model, the drawing page and its files.

Each request's body waits on disk until its turn (`uploads.received`); then its images are
read and prepared in a worker thread (decoding releases the GIL for most of its time), one
request at a time, and the model runs under a lock: one LiteRT interpreter is not safe to call
from two threads at once. A request that takes longer than REQUEST_SECONDS is answered 503.
"""

from __future__ import annotations

import asyncio
import base64
import gc
import hmac
import io
import threading
from functools import partial
from pathlib import Path

import anyio
import anyio.to_thread
import numpy as np
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from digitcli.core.strictjson import finite
from digitcli.core.version import VERSION as __version__
from digitcli.imaging.images import INVERT_CHOICES, Prepared
from digitcli.models.modeldir import choose_model
from digitcli.models.runtimes import Runtime, load_runtime, resolve_model
from digitcli.models.testset import scored_on
from digitcli.predicting.predict import predict_sources
from digitcli.reading.read import read_sources
from digitcli.serve import query as params
from digitcli.serve.errors import HTTPProblem, problem_response
from digitcli.serve.middleware import AccessLog, SecurityHeaders
from digitcli.serve.openapi import openapi_spec
from digitcli.serve.uploads import images_in, received

STATIC = Path(__file__).parent / "static"
REQUEST_SECONDS = 30.0  # preparing and answering one request, at most
COLLECT_BYTES = 2**20  # a request this large is followed by a pass of the garbage collector


class LockedRuntime:
    """A runtime that one thread at a time may call."""

    def __init__(self, runtime: Runtime) -> None:
        self.name, self.path, self.input = runtime.name, runtime.path, runtime.input
        self._runtime = runtime
        self._lock = threading.Lock()

    def predict(self, pixels: np.ndarray) -> np.ndarray:
        with self._lock:
            return self._runtime.predict(pixels)


def create_app(
    model: str | Path | None = None, *, token: str | None = None, access_log: bool = True
) -> Starlette:
    """The application serving `model` (default: as `predict` picks it). With `token`, every
    API call needs `Authorization: Bearer <token>`; the page and /healthz do not."""
    chosen = choose_model(model)
    ref = resolve_model(chosen.path)
    runtime = LockedRuntime(load_runtime(ref))
    name = chosen.name  # as the CLI names it: "bundled", else the directory's or file's name
    about = finite({**_about(ref, runtime), "name": name})  # strict JSON: a NaN is null

    async def predict(request: Request) -> JSONResponse:
        _check_token(request, token)
        query = request.query_params
        options = {
            "top_k": params.integer(query, "top_k", 3, 1, 10),
            "threshold": params.fraction(query, "threshold"),
            "invert": params.choice(query, "invert", INVERT_CHOICES),
        }
        preview = params.flag(query, "preview")
        async with received(request) as body:
            work = partial(predict_sources, runtime, **options)
            predictions, prepared = await _in_turn(request, body, work)
        results = [_named(p.to_json(), chosen) for p in predictions]
        if preview:
            for result, item in zip(results, prepared, strict=True):
                if isinstance(item, Prepared) and "error" not in result:
                    result["preview"] = png_data_url(item.pixels)
        return _answer(name, results)

    async def read(request: Request) -> JSONResponse:
        _check_token(request, token)
        query = request.query_params
        options = {
            "threshold": params.fraction(query, "threshold"),
            "digits": params.digit_count(query),
            "invert": params.choice(query, "invert", INVERT_CHOICES),
        }
        preview = params.flag(query, "preview")
        async with received(request) as body:
            work = partial(read_sources, runtime, pixels=preview, **options)
            readings = await _in_turn(request, body, work)
        results = []
        for reading in readings:
            result = reading.to_json()
            if preview:
                for shown, digit in zip(result.get("digits", []), reading.digits, strict=True):
                    shown["preview"] = png_data_url(digit.pixels)
            results.append(_named(result, chosen))
        return _answer(name, results)

    async def model_info(request: Request) -> JSONResponse:
        _check_token(request, token)
        return JSONResponse(about)

    async def health(request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok", "model": name})

    routes = [
        Route("/", _page),
        Route("/healthz", health),
        Route("/openapi.json", _openapi),
        Route("/v1/model", model_info),
        Route("/v1/predict", predict, methods=["POST"]),
        Route("/v1/read", read, methods=["POST"]),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    app = Starlette(routes=routes, exception_handlers=_EXCEPTION_HANDLERS)
    # `/v1/predict/` is a 404, not a redirect: Starlette would build its Location from the
    # client's Host header (an open redirect, answered before the token is checked).
    app.router.redirect_slashes = False
    app.state.model = chosen.to_json()  # the `model` object of `serve --json`'s announcement
    app.add_middleware(SecurityHeaders)
    if access_log:
        app.add_middleware(AccessLog)
    return app


async def _openapi(request: Request) -> JSONResponse:
    return JSONResponse(openapi_spec(__version__))


async def _page(request: Request) -> FileResponse:
    return FileResponse(STATIC / "index.html")


def _named(result: dict, chosen) -> dict:
    """An answer with the `model` object that `predict --json` gives it (an error has none),
    less the model's path: a path on the server is no client's business."""
    if "error" in result:
        return result
    model = {key: value for key, value in chosen.to_json().items() if key != "path"}
    return {**result, "model": model}


async def _in_turn(request: Request, body, work):
    """`work(sources)` of the images in `body`, within REQUEST_SECONDS (else 503)."""
    try:
        return await asyncio.wait_for(_one_at_a_time(request, body, work), REQUEST_SECONDS)
    except asyncio.TimeoutError:
        raise HTTPProblem(
            503, f"the request took over {REQUEST_SECONDS:g} s: send fewer images"
        ) from None


_limiters: dict = {}


async def _one_at_a_time(request: Request, body, work):
    """Requests are read, prepared and answered one after another, first come first served,
    the work in a worker thread: under load each waits its turn instead of all sharing the GIL
    at once, which lowers the slowest requests' latency and raises throughput
    (bench/perf/serve_load.py), and only the request answered holds its images in memory."""
    loop = asyncio.get_running_loop()
    if loop not in _limiters:
        _limiters[loop] = anyio.CapacityLimiter(1)
    async with _limiters[loop]:
        sources = await images_in(request, body)
        collect = body.size >= COLLECT_BYTES
        return await anyio.to_thread.run_sync(_then_collected, partial(work, sources), collect)


def _then_collected(work, collect: bool):
    """`work()`; then, with `collect`, a pass of the garbage collector: a picture's error
    keeps, in the frames of its traceback, the picture's bytes, which a quiet server's
    collector may not free for many requests (10 MB each)."""
    try:
        return work()
    finally:
        if collect:
            gc.collect()


def _answer(name: str, results: list[dict]) -> JSONResponse:
    """200 when any image was answered; 422 when none could be (each result says why)."""
    if results and all("error" in result for result in results):
        first = results[0]
        message = f"no image could be read: {first['file']}: {first['error']}"
        body = {"error": message, "status": 422, "model": name, "results": results}
        return JSONResponse(body, 422)
    return JSONResponse({"model": name, "results": results})


def _check_token(request: Request, token: str | None) -> None:
    if token is None:
        return
    challenge = {"WWW-Authenticate": "Bearer"}
    given = request.headers.get("authorization", "")
    scheme, _, value = given.partition(" ")
    if scheme.lower() != "bearer" or not value:
        raise HTTPProblem(401, "this server needs a token: Authorization: Bearer TOKEN", challenge)
    if not hmac.compare_digest(value.strip().encode(), token.encode()):
        raise HTTPProblem(401, "wrong token", challenge)


def png_data_url(pixels: np.ndarray) -> str:
    """A 28x28 uint8 image as a `data:image/png;base64,...` URL (what the page shows)."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(pixels, dtype=np.uint8)).save(buffer, "PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _about(ref, runtime: LockedRuntime) -> dict:
    about = {"name": ref.path.name, "runtime": runtime.name, "server_version": __version__}
    if ref.metadata is None:
        return {
            **about, "arch": None, "networks": [], "test_accuracy": None, "test_set": None,
            "input": runtime.input.to_json(),
        }  # fmt: skip
    metadata = _public(ref.metadata.to_json())
    return {
        **about,
        "arch": ref.metadata.arch,
        "networks": list(ref.metadata.networks),
        "test_accuracy": ref.metadata.metrics.get("test_accuracy"),
        "test_set": scored_on(ref.metadata.data),  # "MNIST's 10,000 test digits" (testset.py)
        "input": ref.metadata.input.to_json(),
        "digitcli_version": ref.metadata.digitcli_version,
        "metadata": metadata,
    }


# What of the training a client is not told: where on the server the data and the models it
# started from lie, and the data's file names.
PRIVATE_DATA = ("source", "sha256", "files", "path")
PRIVATE_CONFIG = ("init", "teacher")


def _public(metadata: dict) -> dict:
    """The metadata less what is no client's business: the per-epoch curves (large), and the
    server's paths and file names (`--init` and `--teacher` are named by their last part)."""
    metadata = {key: value for key, value in metadata.items() if key != "history"}
    if isinstance(metadata.get("data"), dict):
        data = metadata["data"]
        metadata["data"] = {key: data[key] for key in data if key not in PRIVATE_DATA}
    if isinstance(metadata.get("config"), dict):
        config = dict(metadata["config"])
        for key in PRIVATE_CONFIG:
            if isinstance(config.get(key), str):
                config[key] = Path(config[key]).name
        metadata["config"] = config
    if isinstance(metadata.get("members"), list):  # an ensemble's: each as its own record
        metadata["members"] = [
            _public(member) if isinstance(member, dict) else member
            for member in metadata["members"]
        ]
    return metadata


async def _problem(request: Request, error: HTTPProblem) -> JSONResponse:
    return problem_response(error.status, error.message, error.headers)


async def _http_error(request: Request, error) -> JSONResponse:
    """Starlette's own errors (404, 405, ...) in the API's shape."""
    return problem_response(error.status_code, str(error.detail), getattr(error, "headers", None))


async def _server_error(request: Request, error: Exception) -> JSONResponse:
    return problem_response(500, f"internal error: {type(error).__name__}")


def _handlers() -> dict:
    from starlette.exceptions import HTTPException

    return {HTTPProblem: _problem, HTTPException: _http_error, Exception: _server_error}


_EXCEPTION_HANDLERS = _handlers()
