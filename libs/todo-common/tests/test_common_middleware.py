"""The standard middleware (`protect`) on a real uvicorn server: body limit, internal auth, request id."""

from __future__ import annotations

import io
import json
import logging
import re
import time
from collections.abc import Iterator

import httpx2
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from todo_common.health import operational_routes
from todo_common.logging import JsonFormatter, request_id_var
from todo_common.middleware import protect
from todo_testing.asgi_server import serve_in_thread

TOKEN = "internal-token-for-tests-0123"
LIMIT = 1024


async def echo(request: Request) -> JSONResponse:
    body = await request.body()
    logging.getLogger("todo.test").info("handled")
    return JSONResponse({"received": len(body), "request_id": request_id_var.get()})


def build_app() -> Starlette:
    return Starlette(
        routes=[
            *operational_routes({}),
            Route("/internal/echo", echo, methods=["POST"]),
            Route("/public/echo", echo, methods=["POST"]),
        ]
    )


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    app = protect(build_app(), max_body_bytes=LIMIT, internal_token=TOKEN, protected_prefixes=("/internal",))
    with serve_in_thread(app) as url:
        yield url


@pytest.fixture
def http(base_url: str) -> Iterator[httpx2.Client]:
    with httpx2.Client(base_url=base_url, timeout=10) as client:
        yield client


AUTH = {"Authorization": f"Bearer {TOKEN}"}


def test_body_within_the_limit_is_served(http: httpx2.Client) -> None:
    response = http.post("/public/echo", content=b"x" * LIMIT)
    assert (response.status_code, response.json()["received"]) == (200, LIMIT)


def test_declared_body_over_the_limit_is_413(http: httpx2.Client) -> None:
    response = http.post("/public/echo", content=b"x" * (LIMIT + 1))
    assert response.status_code == 413
    assert response.json() == {"detail": f"request body larger than {LIMIT} bytes"}


def test_streamed_body_over_the_limit_is_413(http: httpx2.Client) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(8):
            yield b"y" * 300

    # A generator body is sent with chunked transfer encoding: no Content-Length to check up front.
    response = http.post("/public/echo", content=chunks())
    assert response.request.headers.get("transfer-encoding") == "chunked"
    assert "content-length" not in response.request.headers
    assert response.status_code == 413


def test_streamed_body_within_the_limit_is_served(http: httpx2.Client) -> None:
    def chunks() -> Iterator[bytes]:
        yield b"a" * 500
        yield b"b" * 500

    response = http.post("/public/echo", content=chunks())
    assert (response.status_code, response.json()["received"]) == (200, 1000)


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN}, {"Authorization": f"bearer  {TOKEN}x"}],
)
def test_protected_prefix_needs_the_internal_token(http: httpx2.Client, headers: dict[str, str]) -> None:
    response = http.post("/internal/echo", content=b"{}", headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json() == {"detail": "missing or invalid internal token"}


def test_protected_prefix_with_the_token_is_served(http: httpx2.Client) -> None:
    assert http.post("/internal/echo", content=b"{}", headers=AUTH).status_code == 200


def test_other_paths_need_no_token(http: httpx2.Client) -> None:
    assert http.post("/public/echo", content=b"{}").status_code == 200
    assert http.get("/healthz").status_code == 200


def test_auth_is_checked_before_the_body_is_read(http: httpx2.Client) -> None:
    response = http.post("/internal/echo", content=b"x" * (LIMIT * 4))
    # Too large and unauthenticated: refused either way, and nothing reached the route.
    assert response.status_code in (401, 413)


def test_valid_request_id_is_kept_and_returned(http: httpx2.Client) -> None:
    response = http.post("/public/echo", content=b"", headers={"X-Request-ID": "abc-123_x.y:z"})
    assert response.headers["x-request-id"] == "abc-123_x.y:z"
    assert response.json()["request_id"] == "abc-123_x.y:z"


@pytest.mark.parametrize("given", [None, "", "has space", "x" * 129, "semi;colon", "new\u00e9line"])
def test_missing_or_invalid_request_id_is_replaced(http: httpx2.Client, given: str | None) -> None:
    headers: dict[bytes, bytes] = {} if given is None else {b"X-Request-ID": given.encode("utf-8")}
    response = http.post("/public/echo", content=b"", headers=headers)
    generated = response.headers["x-request-id"]
    assert re.fullmatch(r"[0-9a-f]{32}", generated)
    assert response.json()["request_id"] == generated


def test_request_id_is_in_every_log_line_of_the_request(http: httpx2.Client) -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter("test"))
    logger = logging.getLogger("todo")
    logger.addHandler(handler)
    previous_level = logger.level
    logger.setLevel(logging.INFO)
    try:
        http.post("/public/echo", content=b"", headers={"X-Request-ID": "trace-42"})
        # The access line is written by the server thread once the response has gone out, so the
        # client can see the response first: wait for it rather than read the stream too early.
        deadline = time.monotonic() + 10
        while '"todo.access"' not in stream.getvalue() and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous_level)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    handled = [line for line in lines if line["message"] == "handled"]
    access = [line for line in lines if line["logger"] == "todo.access"]
    assert len(handled) == 1
    assert handled[0]["request_id"] == "trace-42"
    assert len(access) == 1
    assert access[0]["request_id"] == "trace-42"
    assert (access[0]["status"], access[0]["route"]) == (200, "/public/echo")
    assert access[0]["duration_ms"] >= 0


def test_metrics_use_route_templates_and_count_requests(http: httpx2.Client) -> None:
    http.post("/public/echo", content=b"")
    http.get("/no/such/path/123")
    text = http.get("/metrics").text
    assert re.search(r'http_requests_total\{method="POST",route="/public/echo",status="200"\} [1-9]', text)
    assert 'route="unmatched"' in text
    assert "/no/such/path/123" not in text
