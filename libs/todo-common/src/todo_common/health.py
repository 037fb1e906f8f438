"""The operational routes every Python service serves: /healthz, /readyz and /metrics."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from .metrics import metrics_endpoint

ReadinessCheck = Callable[[], Awaitable[None]]
_log = logging.getLogger("todo.health")


def operational_routes(checks: Mapping[str, ReadinessCheck], timeout: float = 2.5) -> list[Route]:
    """Liveness answers without I/O; readiness runs each named check with a bound on the total time."""

    async def healthz(_: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    async def readyz(_: Request) -> JSONResponse:
        failures: dict[str, str] = {}
        for name, check in checks.items():
            try:
                await asyncio.wait_for(check(), timeout)
            except Exception as exc:
                failures[name] = type(exc).__name__
                _log.warning("readiness check %s failed: %s", name, type(exc).__name__)
        if failures:
            return JSONResponse({"status": "unavailable", "failed": failures}, status_code=503)
        return JSONResponse({"status": "ready"})

    return [
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
        Route("/metrics", metrics_endpoint, methods=["GET"]),
    ]
