"""In-cluster load generator (stdlib only: it runs with the Python of the project's backend image).

Sends requests at a fixed rate to each target of $LOAD_TARGETS until the file $STOP_FILE appears or
$MAX_SECONDS pass, then prints one JSON line: per target the requests sent, succeeded (2xx), failed, the
first failures, the time of the last one, and the failures by kind (a connect that failed, an answer that
never came, an error status with its detail) with when the first and last were sent. Requests are paced by
the clock, not by the previous answer: a slow pod cannot lower the rate. A target is a GET unless it names a
"method" and a "body" (where "{n}" becomes the request's number); with "every": N it is sent on every Nth tick
only. Target headers may contain "{token}", filled from $LOAD_TOKEN (mounted from a Secret).
"""

from __future__ import annotations

import json
import os
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from typing import Any


def request_once(
    url: str, headers: dict[str, str], timeout: float, method: str = "GET", body: bytes | None = None
) -> str | None:
    """None when the answer is 2xx, else a short description of the failure (see `failure_kind`)."""
    try:
        # The URLs are the test's own http:// Service addresses.
        with urllib.request.urlopen(  # noqa: S310
            urllib.request.Request(url, data=body, headers=headers, method=method),  # noqa: S310
            timeout=timeout,
        ) as response:
            response.read()
            return None if 200 <= response.status < 300 else f"HTTP {response.status}"
    except urllib.error.HTTPError as exc:
        return f"HTTP {exc.code} {_detail(exc)}".strip()
    except urllib.error.URLError as exc:
        # urlopen wraps what fails while connecting and sending; nothing was answered.
        return f"connect: {type(exc.reason).__name__}: {exc.reason}"
    except TimeoutError as exc:
        return f"no answer: {type(exc).__name__}: {exc}"
    except Exception as exc:  # every other connection-level failure counts as a failed request
        return f"{type(exc).__name__}: {exc}"


def _detail(exc: urllib.error.HTTPError) -> str:
    try:
        detail = json.loads(exc.read()).get("detail", "")
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
        self.sent = self.ok = self.failed = 0
        self.errors: list[str] = []
        self.last_failure: float | None = None
        # kind -> [count, first sent at, last sent at]
        self.kinds: dict[str, list[float]] = {}

    def hit(self, number: int, timeout: float, started: float) -> None:
        # When the request left (one to an unreachable pod fails only at its timeout).
        sent_at = time.monotonic() - started
        body = None if self.body is None else self.body.replace("{n}", str(number)).encode()
        failure = request_once(self.url, self.headers, timeout, self.method, body)
        with self.lock:
            if failure is None:
                self.ok += 1
            else:
                self.failed += 1
                self.last_failure = round(max(self.last_failure or 0.0, sent_at), 1)
                kind = self.kinds.setdefault(failure_kind(failure), [0, sent_at, sent_at])
                kind[0] += 1
                kind[1] = round(min(kind[1], sent_at), 1)
                kind[2] = round(max(kind[2], sent_at), 1)
                if len(self.errors) < 20:
                    self.errors.append(f"t+{time.monotonic() - started:.1f}s {failure}")

    def summary(self) -> dict[str, Any]:
        return {
            "sent": self.sent,
            "ok": self.ok,
            "failed": self.failed,
            "errors": self.errors,
            "last_failure": self.last_failure,
            "kinds": self.kinds,
        }


def main() -> None:
    rate = float(os.environ.get("RATE_PER_TARGET", "12"))
    max_seconds = float(os.environ.get("MAX_SECONDS", "600"))
    timeout = float(os.environ.get("REQUEST_TIMEOUT", "10"))
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
                    pool.submit(target.hit, tick, timeout, started)
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
