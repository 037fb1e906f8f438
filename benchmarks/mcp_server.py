"""MCP server figures: time from process start to ready, tool-call latency over streamable HTTP (the
official client, as the backend and the agent call it), throughput with concurrent callers, and memory.

    uv run python -m benchmarks.mcp_server [--calls N] [--concurrency C]

Runs the real process on a fresh database (created and dropped here) on a free loopback port.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from mcp import Client
from todo_testing.catalog import component
from todo_testing.mcp_client import call_ok, http_mcp_client
from todo_testing.processes import ServiceProcess, TestDatabase, migrate, service_env

from benchmarks.bytecode import compile_bytecode


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def report(name: str, samples: list[float]) -> None:
    milliseconds = [sample * 1000 for sample in samples]
    print(
        f"{name:<34} n={len(samples):<5} p50={percentile(milliseconds, 0.5):7.1f} ms  "
        f"p95={percentile(milliseconds, 0.95):7.1f} ms  mean={statistics.fmean(milliseconds):7.1f} ms"
    )


async def timed(call: Callable[[], Awaitable[Any]], count: int) -> list[float]:
    samples = []
    for _ in range(count):
        started = time.perf_counter()
        await call()
        samples.append(time.perf_counter() - started)
    return samples


async def measure(url: str, calls: int, concurrency: int) -> None:
    user = str(uuid.uuid4())
    async with http_mcp_client(url, mode="legacy") as client:
        added = await timed(lambda: call_ok(client, "add_task", user_id=user, title="benchmark task"), calls)
        report("add_task (sequential)", added)
        listed = await call_ok(client, "list_tasks", user_id=user)
        task_id = listed["result"][0]["id"]
        report(
            f"list_tasks, {len(listed['result'])} tasks (sequential)",
            await timed(lambda: call_ok(client, "list_tasks", user_id=user), calls),
        )
        report(
            "get_task (sequential)",
            await timed(lambda: call_ok(client, "get_task", user_id=user, task_id=task_id), calls),
        )

    async def worker(client: Client, count: int) -> list[float]:
        return await timed(lambda: call_ok(client, "get_task", user_id=user, task_id=task_id), count)

    per_worker = max(1, calls // concurrency)
    async with http_mcp_client(url, mode="legacy") as shared:
        started = time.perf_counter()
        results = await asyncio.gather(*(worker(shared, per_worker) for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    samples = [sample for result in results for sample in result]
    report(f"get_task ({concurrency} concurrent)", samples)
    print(f"{'throughput':<34} {len(samples) / elapsed:7.1f} calls/s with {concurrency} concurrent callers")


def rss_megabytes(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--calls", type=int, default=200, help="calls per measurement (default 200)")
    parser.add_argument("--concurrency", type=int, default=10, help="concurrent callers (default 10)")
    args = parser.parse_args()
    compile_bytecode()

    database = TestDatabase("todo_bench_mcp")
    try:
        migrate(database.url, owners=(str(component("mcp-server").migrations),))
        service = ServiceProcess("mcp-server", service_env("mcp-server", {}, database.url))
        started = time.perf_counter()
        service.start(timeout=120)
        print(f"{'start to ready':<34} {time.perf_counter() - started:7.2f} s")
        try:
            assert service.process is not None
            print(f"{'memory (RSS) when ready':<34} {rss_megabytes(service.process.pid):7.1f} MB")
            asyncio.run(measure(service.url + "/mcp", args.calls, args.concurrency))
            print(f"{'memory (RSS) after the load':<34} {rss_megabytes(service.process.pid):7.1f} MB")
        finally:
            service.stop()
    finally:
        database.drop()


if __name__ == "__main__":
    main()
