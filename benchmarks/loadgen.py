"""A compiled constant-rate load generator for the open-loop phases, so that generating the load takes as
little as possible of the CPU the measured services run on.

`vegeta` (Go) is built on first use with `go install` into a cache directory outside the repository
(`$TODO_BENCH_CACHE`, default `~/.cache/todo-benchmarks`); nothing binary is committed. When it cannot be
built (no Go toolchain, no module proxy) `vegeta_binary()` says why and returns None, and the caller falls
back to its Python open loop.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

VEGETA_MODULE = "github.com/tsenart/vegeta/v12"
VEGETA_VERSION = "v12.13.0"
GO_FALLBACK = Path("/usr/local/go/bin/go")
BUILD_TIMEOUT_SECONDS = 900


def cache_dir() -> Path:
    configured = os.environ.get("TODO_BENCH_CACHE")
    return Path(configured) if configured else Path.home() / ".cache" / "todo-benchmarks"


def vegeta_binary() -> Path | None:
    """The cached vegeta binary, built now if missing; None (with the reason printed) if it cannot be."""
    target_dir = cache_dir() / f"vegeta-{VEGETA_VERSION}"
    binary = target_dir / "vegeta"
    if binary.is_file():
        return binary
    go = shutil.which("go") or (str(GO_FALLBACK) if GO_FALLBACK.is_file() else None)
    if go is None:
        print("load generator: no Go toolchain to build vegeta; using the Python open loop")
        return None
    target_dir.mkdir(parents=True, exist_ok=True)
    print(f"load generator: building vegeta {VEGETA_VERSION} into {target_dir} (once)")
    try:
        subprocess.run(
            [go, "install", f"{VEGETA_MODULE}@{VEGETA_VERSION}"],
            env={**os.environ, "GOBIN": str(target_dir), "CGO_ENABLED": "0"},
            check=True,
            timeout=BUILD_TIMEOUT_SECONDS,
            capture_output=True,
        )
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as exc:
        detail = getattr(exc, "stderr", b"") or b""
        print(f"load generator: building vegeta failed ({type(exc).__name__}: {detail.decode()[-300:]!r});")
        print("load generator: using the Python open loop")
        return None
    return binary if binary.is_file() else None


@dataclass(frozen=True)
class AttackResult:
    requests: int
    rate: float  # requests sent per second
    throughput: float  # successful responses per second
    p50_ms: float
    p99_ms: float
    mean_ms: float
    max_ms: float
    status_codes: dict[str, int]
    errors: list[str]
    generator_cpu_seconds: float  # user + system CPU of the vegeta processes


def _children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def attack(
    binary: Path, url: str, headers: dict[str, str], rate: float, seconds: float, timeout: float = 30.0
) -> AttackResult:
    """GET `url` at a constant `rate` for `seconds` (open loop: a request starts on schedule whatever the
    latency of the ones before it), over keep-alive connections; the latency figures are vegeta's."""
    target = f"GET {url}\n" + "".join(f"{name}: {value}\n" for name, value in headers.items())
    cpu_before = _children_cpu_seconds()
    attacked = subprocess.run(
        [
            str(binary),
            "attack",
            f"-rate={rate:g}/1s",
            f"-duration={seconds:g}s",
            f"-timeout={timeout:g}s",
            "-keepalive=true",
        ],
        input=target.encode(),
        capture_output=True,
        check=True,
        timeout=seconds + timeout + 30,
    )
    cpu_used = _children_cpu_seconds() - cpu_before
    reported = subprocess.run(
        [str(binary), "report", "-type=json"],
        input=attacked.stdout,
        capture_output=True,
        check=True,
        timeout=60,
    )
    report = json.loads(reported.stdout)
    latencies = report["latencies"]
    return AttackResult(
        requests=int(report["requests"]),
        rate=float(report["rate"]),
        throughput=float(report["throughput"]),
        p50_ms=latencies["50th"] / 1e6,
        p99_ms=latencies["99th"] / 1e6,
        mean_ms=latencies["mean"] / 1e6,
        max_ms=latencies["max"] / 1e6,
        status_codes={str(code): int(count) for code, count in (report.get("status_codes") or {}).items()},
        errors=list(report.get("errors") or []),
        generator_cpu_seconds=cpu_used,
    )
