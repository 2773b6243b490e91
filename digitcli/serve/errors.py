"""The API's one error shape: `{"error": "...", "status": N}` with that HTTP status."""

from __future__ import annotations

from starlette.responses import JSONResponse


class HTTPProblem(Exception):
    """A request the API refuses: answered with `status` and a one-line `message`."""

    def __init__(self, status: int, message: str, headers: dict | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers


def problem_response(status: int, message: str, headers: dict | None = None) -> JSONResponse:
    return JSONResponse({"error": message, "status": status}, status, headers=headers)
