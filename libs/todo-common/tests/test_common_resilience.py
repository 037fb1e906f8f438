"""Calls to another service over real HTTP: retries only where the request cannot have arrived, a circuit
breaker that fails fast and closes by itself, and the internal client's headers."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

import httpx2
import pytest
from prometheus_client import REGISTRY
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from todo_common.http import CONNECT_ERRORS, TRANSPORT_ERRORS, internal_client
from todo_common.logging import request_id_var
from todo_common.resilience import CircuitBreaker, DependencyUnavailableError, call_dependency
from todo_testing.asgi_server import serve_in_thread
from todo_testing.processes import free_port

pytestmark = pytest.mark.anyio

TOKEN = "internal-token-for-tests-0123"


def is_open(breaker: CircuitBreaker) -> bool:
    # A call, not the property: mypy would keep the property narrowed across awaits and sleeps.
    return breaker.is_open


class Dependency:
    """A real HTTP service that records what reached it."""

    def __init__(self) -> None:
        self.writes = 0
        self.slow_seconds = 0.0
        self.headers: list[dict[str, str]] = []

    def app(self) -> Starlette:
        async def write(request: Request) -> JSONResponse:
            self.writes += 1
            self.headers.append(dict(request.headers))
            await asyncio.sleep(self.slow_seconds)
            return JSONResponse({"writes": self.writes}, status_code=201)

        return Starlette(routes=[Route("/write", write, methods=["POST"])])


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
def dependency() -> Iterator[tuple[Dependency, str]]:
    target = Dependency()
    with serve_in_thread(target.app()) as url:
        yield target, url


async def post_write(client: httpx2.AsyncClient, breaker: CircuitBreaker) -> httpx2.Response:
    """`POST /write` as the services call a dependency: retried only when it cannot have been sent."""
    return await call_dependency(
        lambda: client.post("/write"),
        breaker=breaker,
        retry_on=CONNECT_ERRORS,
        unavailable_on=TRANSPORT_ERRORS,
        base_delay=0.01,
    )


async def test_successful_call_passes_through(dependency: tuple[Dependency, str]) -> None:
    target, url = dependency
    target.slow_seconds = 0
    breaker = CircuitBreaker("dep")
    async with internal_client(TOKEN, base_url=url) as client:
        response = await post_write(client, breaker)
    assert response.status_code == 201
    assert not is_open(breaker)


async def test_internal_client_sends_token_and_request_id(dependency: tuple[Dependency, str]) -> None:
    target, url = dependency
    target.slow_seconds = 0
    token = request_id_var.set("rid-propagated-1")
    try:
        async with internal_client(TOKEN, base_url=url) as client:
            await client.post("/write")
            await client.post("/write", headers={"X-Request-ID": "caller-chose-this"})
    finally:
        request_id_var.reset(token)
    async with internal_client(TOKEN, base_url=url) as client:
        await client.post("/write")

    sent, explicit, outside_request = target.headers[-3:]
    assert sent["authorization"] == f"Bearer {TOKEN}"
    assert sent["x-request-id"] == "rid-propagated-1"
    assert explicit["x-request-id"] == "caller-chose-this"
    assert "x-request-id" not in outside_request


async def test_write_is_not_resent_after_a_read_timeout(dependency: tuple[Dependency, str]) -> None:
    target, url = dependency
    target.slow_seconds = 1.0
    before = target.writes
    breaker = CircuitBreaker("dep", failure_threshold=10)
    async with internal_client(TOKEN, base_url=url, timeout=httpx2.Timeout(0.3, connect=2.0)) as client:
        with pytest.raises(DependencyUnavailableError, match="dep is unavailable: ReadTimeout"):
            await post_write(client, breaker)
    await asyncio.sleep(1.2)  # let the slow handler finish so it is counted
    target.slow_seconds = 0
    # It may have been acted on: exactly one attempt reached the service.
    assert target.writes - before == 1


async def test_write_is_not_resent_when_the_connection_drops_after_sending() -> None:
    received = 0

    async def read_then_hang_up(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal received
        await reader.readuntil(b"\r\n\r\n")  # the whole request has arrived
        received += 1
        writer.close()  # and the connection drops before any answer

    server = await asyncio.start_server(read_then_hang_up, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    breaker = CircuitBreaker("dep", failure_threshold=10)
    try:
        async with internal_client(TOKEN, base_url=f"http://127.0.0.1:{port}") as client:
            with pytest.raises(DependencyUnavailableError, match="dep is unavailable: RemoteProtocolError"):
                await post_write(client, breaker)
    finally:
        server.close()
        await server.wait_closed()
    assert received == 1


async def test_connect_failures_are_retried_with_backoff_then_unavailable() -> None:
    attempts = 0
    dead = f"http://127.0.0.1:{free_port()}"
    breaker = CircuitBreaker("dead", failure_threshold=10)
    second_retry = {"callable": "dead", "retry_num": "2", "error_type": "httpx2.ConnectError"}
    retried_before = REGISTRY.get_sample_value("stamina_retries_total", second_retry) or 0.0
    async with internal_client(TOKEN, base_url=dead) as client:

        async def call() -> httpx2.Response:
            nonlocal attempts
            attempts += 1
            return await client.post("/write")

        started = time.monotonic()
        with pytest.raises(DependencyUnavailableError, match="dead is unavailable: ConnectError"):
            await call_dependency(
                call, breaker=breaker, retry_on=CONNECT_ERRORS, unavailable_on=TRANSPORT_ERRORS, attempts=3
            )
    assert attempts == 3
    # Two backoff sleeps of at least 0.1 and 0.2 seconds (plus jitter), each counted.
    assert time.monotonic() - started >= 0.3
    assert REGISTRY.get_sample_value("stamina_retries_total", second_retry) == retried_before + 1


async def test_other_errors_pass_through_without_retry_or_breaker() -> None:
    breaker = CircuitBreaker("dep", failure_threshold=1)
    calls = 0

    async def buggy() -> None:
        nonlocal calls
        calls += 1
        raise KeyError("a bug, not an outage")

    with pytest.raises(KeyError):
        await call_dependency(
            buggy, breaker=breaker, retry_on=CONNECT_ERRORS, unavailable_on=TRANSPORT_ERRORS
        )
    assert calls == 1
    assert not is_open(breaker)


async def test_breaker_opens_fails_fast_and_closes_when_the_dependency_is_back(
    dependency: tuple[Dependency, str],
) -> None:
    target, url = dependency
    target.slow_seconds = 0
    breaker = CircuitBreaker("flaky", failure_threshold=2, reset_after=0.5)
    dead = f"http://127.0.0.1:{free_port()}"
    attempts = 0

    async def call_to(base: str) -> httpx2.Response:
        nonlocal attempts
        attempts += 1
        async with internal_client(TOKEN, base_url=base) as client:
            return await client.post("/write")

    async def call(base: str) -> httpx2.Response:
        return await call_dependency(
            lambda: call_to(base),
            breaker=breaker,
            retry_on=CONNECT_ERRORS,
            unavailable_on=TRANSPORT_ERRORS,
            attempts=1,
        )

    for _ in range(2):
        with pytest.raises(DependencyUnavailableError, match="ConnectError"):
            await call(dead)
    assert is_open(breaker)

    # Open: fails at once without touching the network, even though the dependency is up.
    with pytest.raises(DependencyUnavailableError, match="circuit open"):
        await call(url)
    assert attempts == 2

    await asyncio.sleep(0.6)
    assert not is_open(breaker)
    assert (await call(url)).status_code == 201
    # Closed again: a single new failure does not reopen it (the count starts over).
    with pytest.raises(DependencyUnavailableError, match="ConnectError"):
        await call(dead)
    assert not is_open(breaker)


async def test_tries_that_fail_on_one_endpoint_and_succeed_on_retry_do_not_open_the_breaker(
    dependency: tuple[Dependency, str],
) -> None:
    """As during a node loss: concurrent calls each reach a dead endpoint first, then a live one."""
    target, url = dependency
    target.slow_seconds = 0
    breaker = CircuitBreaker("half-dead", failure_threshold=2, reset_after=5)
    dead = f"http://127.0.0.1:{free_port()}"

    async def call() -> httpx2.Response:
        tries = 0

        async def once() -> httpx2.Response:
            nonlocal tries
            tries += 1
            async with internal_client(TOKEN, base_url=dead if tries == 1 else url) as client:
                return await client.post("/write")

        return await call_dependency(
            once, breaker=breaker, retry_on=CONNECT_ERRORS, unavailable_on=TRANSPORT_ERRORS, base_delay=0.05
        )

    answers = await asyncio.gather(*(call() for _ in range(4)))
    assert [answer.status_code for answer in answers] == [201] * 4
    assert not is_open(breaker)


async def test_half_open_failure_reopens_at_once() -> None:
    breaker = CircuitBreaker("dep", failure_threshold=2, reset_after=0.2)
    breaker.record_failure()
    breaker.record_failure()
    assert is_open(breaker)
    await asyncio.sleep(0.25)
    assert not is_open(breaker)
    breaker.record_failure()
    assert is_open(breaker)
    with pytest.raises(DependencyUnavailableError, match="circuit open"):
        breaker.ensure_closed()
