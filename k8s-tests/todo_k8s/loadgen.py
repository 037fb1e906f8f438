"""In-cluster load generator (stdlib only: it runs with the Python of the project's backend image).

Sends requests at a fixed rate to each target of $LOAD_TARGETS until the file $STOP_FILE appears or
$MAX_SECONDS pass, then prints one JSON line: per target the requests sent, succeeded (2xx), failed, the
first failures, the time of the last one, and the failures by kind (a connect that failed, an answer that
never came, an error status with its detail) with when the first and last were sent. Requests are paced by
the clock, not by the previous answer: a slow pod cannot lower the rate. A target is a GET unless it names a
"method" and a "body" (where "{n}" becomes the request's number); with "every": N it is sent on every Nth tick
only. Target headers may contain "{token}", filled from $LOAD_TOKEN (mounted from a Secret).
$REQUEST_TIMEOUT and $CONNECT_TIMEOUT: see `Client`.
"""

from __future__ import annotations

import http.client
import json
import os
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Client:
    """How the load's requests are sent. With a connect_timeout, a connection that does not open within it
    (nothing was sent: safe for a write too) is given up and opened again while the timeout leaves room for
    one more and an answer (ANSWER_SECONDS), as an ingress controller tries the next endpoint (ingress-nginx:
    proxy_next_upstream error timeout). Each opens through the Service again, where kube-proxy picks an
    endpoint at random, the lost one included. Without it, opening may take the whole timeout, and a failure
    to open fails the request."""

    timeout: float
    connect_timeout: float = 0.0


ANSWER_SECONDS = 2.0


def request_once(
    client: Client, url: str, headers: dict[str, str], method: str = "GET", body: bytes | None = None
) -> tuple[str | None, list[str]]:
    """(None when the answer is 2xx, else a short description of the failure (see `failure_kind`); the
    failed connects that were given up and opened again)."""
    # The URLs are the test's own http:// Service addresses.
    parts = urllib.parse.urlsplit(url)
    path = f"{parts.path}?{parts.query}" if parts.query else parts.path
    deadline = time.monotonic() + client.timeout
    retried: list[str] = []
    while True:
        left = deadline - time.monotonic()
        connection = http.client.HTTPConnection(
            parts.hostname or "", parts.port or 80, timeout=min(client.connect_timeout or left, left)
        )
        try:
            connection.connect()
        except OSError as exc:
            connection.close()
            failure = f"connect: {type(exc).__name__}: {exc}"
            room = deadline - time.monotonic() - ANSWER_SECONDS
            if client.connect_timeout and room > client.connect_timeout:
                retried.append(failure)
                time.sleep(0.05)
                continue
            return failure, retried
        try:
            assert connection.sock is not None
            connection.sock.settimeout(max(0.001, deadline - time.monotonic()))
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            answer = response.read()
        except TimeoutError as exc:
            return f"no answer: {type(exc).__name__}: {exc}", retried
        except Exception as exc:  # every other connection-level failure counts as a failed request
            return f"{type(exc).__name__}: {exc}", retried
        finally:
            connection.close()
        if 200 <= response.status < 300:
            return None, retried
        return f"HTTP {response.status} {_detail(answer)}".strip(), retried


def _detail(answer: bytes) -> str:
    try:
        detail = json.loads(answer).get("detail", "")
    except Exception:  # an error page that is not our JSON
        return ""
    return str(detail)[:80]


def failure_kind(failure: str) -> str:
    """The failure without what varies from one request to the next (addresses, numbers)."""
    return failure.split(" (")[0][:120]


class Target:
    def __init__(self, spec: dict[str, Any], token: str) -> None:
        self.name: str = spec["name"]
        self.url: str = spec["url"]
        self.headers = {
            key: value.replace("{token}", token) for key, value in spec.get("headers", {}).items()
        }
        self.method: str = spec.get("method", "GET")
        self.body: str | None = spec.get("body")
        self.every: int = int(spec.get("every", 1))
        self.lock = threading.Lock()
        self.sent = self.ok = self.failed = self.connects_retried = 0
        self.errors: list[str] = []
        self.last_failure: float | None = None
        # kind -> [count, first sent at, last sent at]
        self.kinds: dict[str, list[float]] = {}

    def hit(self, number: int, client: Client, started: float) -> None:
        # When the request left (one to an unreachable pod fails only at its timeout).
        sent_at = time.monotonic() - started
        body = None if self.body is None else self.body.replace("{n}", str(number)).encode()
        failure, retried = request_once(client, self.url, self.headers, self.method, body)
        with self.lock:
            self.connects_retried += len(retried)
            for connect in retried:
                self._count(f"retried {failure_kind(connect)}", sent_at)
            if failure is None:
                self.ok += 1
            else:
                self.failed += 1
                self.last_failure = round(max(self.last_failure or 0.0, sent_at), 1)
                self._count(failure_kind(failure), sent_at)
                if len(self.errors) < 20:
                    self.errors.append(f"t+{time.monotonic() - started:.1f}s {failure}")

    def _count(self, kind: str, sent_at: float) -> None:
        counted = self.kinds.setdefault(kind, [0, sent_at, sent_at])
        counted[0] += 1
        counted[1] = round(min(counted[1], sent_at), 1)
        counted[2] = round(max(counted[2], sent_at), 1)

    def summary(self) -> dict[str, Any]:
        return {
            "sent": self.sent,
            "ok": self.ok,
            "failed": self.failed,
            "connects_retried": self.connects_retried,
            "errors": self.errors,
            "last_failure": self.last_failure,
            "kinds": self.kinds,
        }


def main() -> None:
    rate = float(os.environ.get("RATE_PER_TARGET", "12"))
    max_seconds = float(os.environ.get("MAX_SECONDS", "600"))
    client = Client(
        timeout=float(os.environ.get("REQUEST_TIMEOUT", "10")),
        connect_timeout=float(os.environ.get("CONNECT_TIMEOUT", "0")),
    )
    stop_file = os.environ.get("STOP_FILE", "/tmp/stop")  # noqa: S108 (the pod's own emptyDir)
    targets = [
        Target(spec, os.environ.get("LOAD_TOKEN", "")) for spec in json.loads(os.environ["LOAD_TARGETS"])
    ]
    # A new pod's address reaches the NetworkPolicy enforcer a moment after it starts (kube-router: ~1 s).
    time.sleep(float(os.environ.get("WARMUP_SECONDS", "5")))
    started = time.monotonic()
    print(json.dumps({"event": "started", "rate_per_target": rate}), flush=True)
    with ThreadPoolExecutor(max_workers=64) as pool:
        tick = 0
        while not os.path.exists(stop_file) and time.monotonic() - started < max_seconds:
            for target in targets:
                if tick % target.every == 0:
                    target.sent += 1
                    pool.submit(target.hit, tick, client, started)
            tick += 1
            time.sleep(max(0.0, started + tick / rate - time.monotonic()))
    seconds = time.monotonic() - started
    result = {
        "event": "done",
        "seconds": round(seconds, 1),
        "targets": {t.name: t.summary() for t in targets},
    }
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
