"""/healthz, /readyz and /metrics served by real uvicorn: readiness reflects its checks within a bound."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

import httpx2
import pytest
from starlette.applications import Starlette
from todo_common.health import operational_routes
from todo_testing.asgi_server import serve_in_thread


class Checks:
    def __init__(self) -> None:
        self.database_up = True
        self.slow = False

    async def database(self) -> None:
        if not self.database_up:
            raise ConnectionRefusedError("down")

    async def cache(self) -> None:
        if self.slow:
            await asyncio.sleep(5)


@pytest.fixture(scope="module")
def service() -> Iterator[tuple[Checks, httpx2.Client]]:
    checks = Checks()
    app = Starlette(
        routes=operational_routes({"database": checks.database, "cache": checks.cache}, timeout=0.5)
    )
    with serve_in_thread(app) as url, httpx2.Client(base_url=url, timeout=10) as client:
        yield checks, client


def test_liveness_never_depends_on_checks(service: tuple[Checks, httpx2.Client]) -> None:
    checks, client = service
    checks.database_up = False
    try:
        response = client.get("/healthz")
    finally:
        checks.database_up = True
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


def test_ready_when_every_check_passes(service: tuple[Checks, httpx2.Client]) -> None:
    _, client = service
    response = client.get("/readyz")
    assert (response.status_code, response.json()) == (200, {"status": "ready"})


def test_failed_check_makes_it_unready_and_names_the_check(service: tuple[Checks, httpx2.Client]) -> None:
    checks, client = service
    checks.database_up = False
    try:
        response = client.get("/readyz")
    finally:
        checks.database_up = True
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "failed": {"database": "ConnectionRefusedError"}}
    assert "down" not in response.text
    assert client.get("/readyz").status_code == 200


def test_slow_check_is_cut_off_by_the_timeout(service: tuple[Checks, httpx2.Client]) -> None:
    checks, client = service
    checks.slow = True
    started = time.monotonic()
    try:
        response = client.get("/readyz")
    finally:
        checks.slow = False
    assert time.monotonic() - started < 3
    assert response.status_code == 503
    assert response.json()["failed"] == {"cache": "TimeoutError"}


def test_metrics_are_prometheus_text(service: tuple[Checks, httpx2.Client]) -> None:
    _, client = service
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=")
    assert "# TYPE http_requests_total counter" in response.text
    assert "# TYPE dependency_calls_total counter" in response.text
