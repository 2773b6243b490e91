"""Tests are marked by what they need (conftest.py): a fixture that brings a need marks every
test that uses it, and a test that trains or starts a browser is slow."""

from __future__ import annotations

import pytest

from conftest import needs


@pytest.fixture
@needs("server")
def a_server() -> str:
    return "a server"


@pytest.fixture
@needs("browser")
def a_browser() -> str:
    return "a browser"


def test_a_fixture_marks_the_tests_that_use_it(request: pytest.FixtureRequest, a_server) -> None:
    assert request.node.get_closest_marker("server") is not None
    assert request.node.get_closest_marker("slow") is None  # a server alone is not slow


def test_a_test_whose_fixture_starts_a_browser_is_slow(
    request: pytest.FixtureRequest, a_browser
) -> None:
    assert request.node.get_closest_marker("browser") is not None
    assert request.node.get_closest_marker("slow") is not None


@pytest.mark.trains
def test_a_test_marked_trains_is_slow(request: pytest.FixtureRequest) -> None:
    assert request.node.get_closest_marker("slow") is not None


def test_a_need_that_is_not_a_mark_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown need 'gpu'"):
        needs("gpu")
