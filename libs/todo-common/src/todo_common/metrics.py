"""Prometheus metrics shared by every service, served as text at /metrics."""

from __future__ import annotations

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest
from starlette.requests import Request
from starlette.responses import Response

HTTP_REQUESTS = Counter("http_requests_total", "HTTP requests served", ["method", "route", "status"])
HTTP_REQUEST_DURATION = Histogram(
    "http_request_duration_seconds",
    "Time to serve an HTTP request",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
DEPENDENCY_CALLS = Counter(
    "dependency_calls_total", "Calls to other services and their outcome", ["dependency", "outcome"]
)
CIRCUIT_OPEN = Counter(
    "circuit_breaker_open_total", "Times a dependency's circuit breaker opened", ["dependency"]
)


async def metrics_endpoint(_: Request) -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
