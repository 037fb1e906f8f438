"""Calls to another service: bounded retries with backoff, and a circuit breaker per dependency."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

import stamina

from .metrics import CIRCUIT_OPEN, DEPENDENCY_CALLS

T = TypeVar("T")
_log = logging.getLogger("todo.resilience")


class DependencyUnavailableError(Exception):
    """A service we depend on cannot be reached; callers answer 503."""

    def __init__(self, dependency: str, reason: str) -> None:
        super().__init__(f"{dependency} is unavailable: {reason}")
        self.dependency = dependency
        self.reason = reason


class CircuitBreaker:
    """Opens after `failure_threshold` consecutive failures; while open, calls fail at once.

    After `reset_after` seconds the next call is let through: success closes the circuit, failure
    opens it again. No restart is needed for a dependency that comes back.
    """

    def __init__(self, dependency: str, failure_threshold: int = 5, reset_after: float = 5.0) -> None:
        self.dependency = dependency
        self.failure_threshold = failure_threshold
        self.reset_after = reset_after
        self._failures = 0
        self._opened_at: float | None = None

    @property
    def is_open(self) -> bool:
        return self._opened_at is not None and time.monotonic() - self._opened_at < self.reset_after

    def ensure_closed(self) -> None:
        if self.is_open:
            raise DependencyUnavailableError(self.dependency, "circuit open after repeated failures")

    def record_success(self) -> None:
        self._failures = 0
        self._opened_at = None

    def record_failure(self) -> None:
        self._failures += 1
        if self._failures >= self.failure_threshold:
            if self._opened_at is None:
                CIRCUIT_OPEN.labels(self.dependency).inc()
                _log.warning("circuit for %s opened after %d failures", self.dependency, self._failures)
            self._opened_at = time.monotonic()


async def call_dependency(
    call: Callable[[], Awaitable[T]],
    *,
    breaker: CircuitBreaker,
    retry_on: tuple[type[BaseException], ...],
    unavailable_on: tuple[type[BaseException], ...],
    attempts: int = 3,
    base_delay: float = 0.1,
    max_delay: float = 1.0,
) -> T:
    """Run `call`, retrying only on `retry_on` errors (ones where the request cannot have reached the
    dependency, so a write is never repeated), with exponential backoff and jitter: the n-th retry waits
    `base_delay * 2**(n-1)` plus up to `base_delay`, at most `max_delay` (stamina's backoff).

    `unavailable_on` errors (a superset: timeouts, resets) surface as DependencyUnavailableError; any other
    exception is the dependency's answer and passes through. Only a call that fails for good counts against
    the breaker: a try that failed on one endpoint (a pod on a lost node) while a retry reaches another is no
    outage, and counting each try would open the breaker under every concurrent call.
    """
    breaker.ensure_closed()

    def may_retry(exc: BaseException) -> bool:
        return isinstance(exc, retry_on) and isinstance(exc, unavailable_on) and not breaker.is_open

    try:
        async for attempt in stamina.retry_context(
            on=may_retry,
            attempts=attempts,
            timeout=None,
            wait_initial=base_delay,
            wait_max=max_delay,
            wait_jitter=base_delay,
            name=breaker.dependency,
        ):
            with attempt:
                result = await call()
                breaker.record_success()
                DEPENDENCY_CALLS.labels(breaker.dependency, "ok").inc()
                return result
    except unavailable_on as exc:
        # Only a call that failed for good counts: tries that hit a lost pod and then succeed do not.
        breaker.record_failure()
        DEPENDENCY_CALLS.labels(breaker.dependency, "unavailable").inc()
        raise DependencyUnavailableError(breaker.dependency, type(exc).__name__) from exc
    raise AssertionError("unreachable")  # pragma: no cover
