"""`serve` without a token (loopback only) answers only requests addressed to a loopback name:
a page on evil.example whose name was rebound to 127.0.0.1 (DNS rebinding) is refused, 400.
/healthz answers whatever the Host (it tells nothing). And /v1/model names no server path,
an ensemble's members' `--init` paths included."""

from __future__ import annotations

import json

import pytest
from starlette.testclient import TestClient

from digitcli.serve.app import create_app
from digitcli.serve.server import guarded


@pytest.mark.parametrize(
    "host", ["evil.example", "evil.example:8000", "127.0.0.1.evil.example", "10.0.0.5:8000"]
)
def test_a_foreign_host_is_refused_by_the_server(bundled_server, host: str) -> None:
    with bundled_server.client() as client:
        for path in ("/v1/model", "/"):
            answer = client.get(path, headers={"Host": host})
            assert answer.status_code == 400, (path, answer.text)
            assert "Host" in answer.json()["error"]
        assert client.get("/healthz", headers={"Host": host}).status_code == 200


@pytest.mark.parametrize(
    "host",
    ["127.0.0.1:8000", "localhost:8000", "localhost", "[::1]:8000", "127.0.0.2", "LOCALHOST"],
)
def test_loopback_names_are_answered(bundled_server, host: str) -> None:
    with bundled_server.client() as client:
        assert client.get("/v1/model", headers={"Host": host}).status_code == 200


def test_with_a_token_any_host_is_answered() -> None:
    """A server given a token listens for other machines, by names it cannot know; a page
    rebound to it has no token."""
    app = guarded(create_app("bundled", token="secret", access_log=False), "secret")
    with TestClient(app, base_url="http://digits.example.org") as client:
        answer = client.get("/v1/model", headers={"Authorization": "Bearer secret"})
        assert answer.status_code == 200


def test_model_info_names_no_member_init_path() -> None:
    with TestClient(create_app("bundled", access_log=False)) as client:
        about = client.get("/v1/model").json()
    inits = [member["config"].get("init") for member in about["metadata"]["members"]]
    assert inits and "/" not in json.dumps(inits)
    assert "build/" not in json.dumps(about)
