"""Backend API figures on loopback, one process per service and PostgreSQL:

- start-to-ready time and idle RSS of each service (mcp-server, agent, backend);
- `GET /api/{uid}/tasks` (50 tasks) at a fixed arrival rate (open loop): p50/p99 and achieved rate, from a
  compiled generator (vegeta, built once into a cache outside the repository, see `benchmarks/loadgen.py`) and
  from the Python open loop of this process (which shares the CPU with the services it measures); each line
  names its generator, and the target is judged on the compiled one when it could be built;
- CPU time each service spends per request (from /proc) in the fixed-concurrency phases;
- `GET` and `POST /api/{uid}/tasks` at a fixed concurrency (closed loop): throughput, p50/p99;
- the same list/insert done directly in PostgreSQL, and the same tool calls made directly over MCP, in
  the same run: the MCP hop's cost is (MCP direct - SQL direct), the backend's own cost (REST - MCP direct);
  one at a time, the hop is split into an HTTP round trip, the MCP call itself and what 50 tasks add;
- a chat turn with the builtin model (p50/p99).

    uv run python -m benchmarks.api_latency [--rate 100] [--seconds 10] [--concurrency 10] [--requests 500]
                                             [--generator auto|vegeta|python]

Creates (and drops) its own database on the shared PostgreSQL; services listen on free loopback ports.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx2
import psycopg
from todo_backend.mcp_tools import McpTaskTools
from todo_testing.api import sign_up
from todo_testing.processes import INTERNAL_TOKEN, Stack

from benchmarks import loadgen
from benchmarks.bytecode import compile_bytecode
from benchmarks.mcp_server import rss_megabytes

TARGETS = {"list p99 at rate": 30.0, "MCP hop p50": 5.0, "chat p50": 60.0}


def percentile(samples_ms: list[float], fraction: float) -> float:
    ordered = sorted(samples_ms)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


FAILURES: dict[int, int] = {}


def count_failure(response: httpx2.Response) -> None:
    """Record a non-2xx answer (reported per phase) instead of aborting the run."""
    if response.status_code >= 300:
        FAILURES[response.status_code] = FAILURES.get(response.status_code, 0) + 1


def line(name: str, samples: list[float], elapsed: float | None = None) -> float:
    ms = [s * 1000 for s in samples]
    rate = f"  {len(samples) / elapsed:7.0f} req/s" if elapsed else ""
    failed = f"  FAILED: {dict(FAILURES)}" if FAILURES else ""
    FAILURES.clear()
    print(
        f"{name:<44} n={len(ms):<5} p50={percentile(ms, 0.5):7.2f} ms  p99={percentile(ms, 0.99):7.2f} ms"
        f"  mean={statistics.fmean(ms):7.2f} ms{rate}{failed}"
    )
    return percentile(ms, 0.5)


def load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


class CpuMeter:
    """CPU milliseconds per request spent by each service process (and this process) during a phase."""

    def __init__(self, stack: Stack) -> None:
        self._services = stack.services
        self._start: dict[str, float] = {}

    def start(self) -> None:
        self._start = {name: service.cpu_seconds() for name, service in self._services.items()}
        self._start["generator"] = time.process_time()

    def report(self, name: str, requests: int) -> None:
        used = {name: service.cpu_seconds() - self._start[name] for name, service in self._services.items()}
        used["generator"] = time.process_time() - self._start["generator"]
        parts = "  ".join(f"{service} {seconds * 1000 / requests:5.2f}" for service, seconds in used.items())
        print(f"  CPU ms per request, {name}: {parts}")


async def closed_loop(
    call: Callable[[], Awaitable[Any]], requests: int, concurrency: int
) -> tuple[list[float], float]:
    """`concurrency` callers back to back until `requests` calls are done: (latencies, elapsed)."""
    samples: list[float] = []
    remaining = requests

    async def worker() -> None:
        nonlocal remaining
        while remaining > 0:
            remaining -= 1
            started = time.perf_counter()
            await call()
            samples.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return samples, time.perf_counter() - started


async def open_loop(
    call: Callable[[], Awaitable[Any]], rate: float, seconds: float
) -> tuple[list[float], float]:
    """Requests started at a fixed rate whatever the latency (no coordinated omission)."""
    samples: list[float] = []

    async def one() -> None:
        started = time.perf_counter()
        await call()
        samples.append(time.perf_counter() - started)

    tasks = []
    begin = time.perf_counter()
    for index in range(int(rate * seconds)):
        delay = begin + index / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one()))
    await asyncio.gather(*tasks)
    return samples, time.perf_counter() - begin


async def one_at_a_time(
    calls: dict[str, Callable[[], Awaitable[Any]]], rounds: int = 5, per_round: int = 40
) -> dict[str, float]:
    """Each call one at a time, in interleaved rounds, so that every figure sees the same moments of a
    machine whose speed drifts (here by up to 2x within minutes): their differences are then meaningful."""
    samples: dict[str, list[float]] = {name: [] for name in calls}
    for _ in range(rounds):
        for name, call in calls.items():
            samples[name].extend((await closed_loop(call, per_round, 1))[0])
    return {name: line(f"{name}, one at a time", values) for name, values in samples.items()}


async def measure(stack: Stack, args: argparse.Namespace) -> dict[str, Any]:
    figures: dict[str, Any] = {}
    meter = CpuMeter(stack)
    generator = "none"
    with httpx2.Client(base_url=stack.backend.url, timeout=30, trust_env=False) as sync_api:
        user = sign_up(sync_api)
        # The POSTs go to a second user, so that every list (and the chat turn) sees the same 50 tasks.
        writer = sign_up(sync_api)
    async with httpx2.AsyncClient(
        base_url=stack.backend.url,
        headers=user.headers,
        timeout=30,
        trust_env=False,
        limits=httpx2.Limits(max_connections=200, max_keepalive_connections=200),
    ) as api:
        for n in range(50):
            (await api.post(f"{user.prefix}/tasks", json={"title": f"benchmark task {n}"})).raise_for_status()

        async def rest_list() -> None:
            count_failure(await api.get(f"{user.prefix}/tasks"))

        async def rest_add() -> None:
            count_failure(
                await api.post(f"{writer.prefix}/tasks", json={"title": "posted"}, headers=writer.headers)
            )

        await closed_loop(rest_list, 50, 5)  # warm-up
        FAILURES.clear()
        vegeta: Path | None = args.vegeta
        if vegeta is not None:
            meter.start()
            result = await asyncio.to_thread(
                loadgen.attack,
                vegeta,
                f"{stack.backend.url}{user.prefix}/tasks",
                dict(user.headers),
                args.rate,
                args.seconds,
            )
            failed = {code: n for code, n in result.status_codes.items() if not code.startswith("2")}
            print(
                f"{f'REST GET tasks (50) at {args.rate:.0f} req/s [vegeta]':<44} n={result.requests:<5}"
                f" p50={result.p50_ms:7.2f} ms  p99={result.p99_ms:7.2f} ms  mean={result.mean_ms:7.2f} ms"
                f"  {result.rate:7.0f} req/s sent, {result.throughput:5.0f}/s answered"
                + (f"  FAILED: {failed} {result.errors[:3]}" if failed or result.errors else "")
            )
            meter.report("open loop [vegeta]", result.requests)
            vegeta_cpu_ms = result.generator_cpu_seconds * 1000 / result.requests
            print(f"  CPU ms per request, vegeta itself: {vegeta_cpu_ms:5.2f}")
            figures["list p99 at rate"] = result.p99_ms
            generator = "vegeta"
        if args.generator in {"auto", "python"}:
            meter.start()
            samples, elapsed = await open_loop(rest_list, args.rate, args.seconds)
            line(f"REST GET tasks (50) at {args.rate:.0f} req/s [python open loop]", samples, elapsed)
            meter.report("open loop [python]", len(samples))
            if vegeta is None:
                figures["list p99 at rate"] = percentile([s * 1000 for s in samples], 0.99)
                generator = "python open loop"
        figures["list p99 generator"] = generator
        meter.start()
        samples, elapsed = await closed_loop(rest_list, args.requests, args.concurrency)
        rest_list_p50 = line(f"REST GET tasks (50), concurrency {args.concurrency}", samples, elapsed)
        meter.report("REST list", len(samples))
        meter.start()
        samples, elapsed = await closed_loop(rest_add, args.requests, args.concurrency)
        rest_add_p50 = line(f"REST POST task, concurrency {args.concurrency}", samples, elapsed)
        meter.report("REST add", len(samples))

        # The same list of 50, for another user of mcp-server ...
        other, mcp_writer, sql_writer, nobody = (str(uuid.uuid4()) for _ in range(4))
        # The backend's own MCP client (one shared session), called directly: what the MCP hop costs.
        mcp = McpTaskTools(stack.mcp_server.url + "/mcp", INTERNAL_TOKEN)
        # A plain keep-alive client for the HTTP round trip alone, through the same middleware as /mcp.
        probe = httpx2.AsyncClient(timeout=30, trust_env=False)
        pool = [await psycopg.AsyncConnection.connect(stack.database.url, autocommit=True) for _ in range(5)]
        free: asyncio.Queue[psycopg.AsyncConnection[Any]] = asyncio.Queue()
        for connection in pool:
            free.put_nowait(connection)
        try:
            for n in range(50):
                await mcp.call("add_task", {"user_id": other, "title": f"benchmark task {n}"})

            async def mcp_list() -> None:
                await mcp.call("list_tasks", {"user_id": other, "status": "all"})

            async def mcp_add() -> None:
                await mcp.call("add_task", {"user_id": mcp_writer, "title": "posted"})

            await closed_loop(mcp_list, 50, 5)
            meter.start()
            samples, elapsed = await closed_loop(mcp_list, args.requests, args.concurrency)
            mcp_list_p50 = line(f"MCP list_tasks (50), concurrency {args.concurrency}", samples, elapsed)
            meter.report("MCP list (generator = the backend's MCP client)", len(samples))
            samples, elapsed = await closed_loop(mcp_add, args.requests, args.concurrency)
            mcp_add_p50 = line(f"MCP add_task, concurrency {args.concurrency}", samples, elapsed)

            async def sql(query: str, params: tuple[Any, ...]) -> None:
                connection = await free.get()
                try:
                    await (await connection.execute(query, params)).fetchall()
                finally:
                    free.put_nowait(connection)

            async def sql_list() -> None:
                await sql(
                    "SELECT id, user_id, title, description, completed, created_at, updated_at FROM task"
                    " WHERE user_id = %s ORDER BY created_at DESC, id DESC",
                    (other,),
                )

            async def sql_add() -> None:
                await sql(
                    "INSERT INTO task (user_id, title, completed) VALUES (%s, 'posted', false)"
                    " RETURNING id, user_id, title, description, completed, created_at, updated_at",
                    (sql_writer,),
                )

            samples, elapsed = await closed_loop(sql_list, args.requests, args.concurrency)
            sql_list_p50 = line(f"SQL list (50) direct, concurrency {args.concurrency}", samples, elapsed)
            samples, elapsed = await closed_loop(sql_add, args.requests, args.concurrency)
            sql_add_p50 = line(f"SQL insert direct, concurrency {args.concurrency}", samples, elapsed)

            async def mcp_list_empty() -> None:
                await mcp.call("list_tasks", {"user_id": nobody, "status": "all"})

            async def healthz() -> None:
                (await probe.get(f"{stack.mcp_server.url}/healthz")).raise_for_status()

            sequential = await one_at_a_time(
                {
                    "REST GET tasks (50)": rest_list,
                    "MCP list_tasks (50)": mcp_list,
                    "SQL list (50) direct": sql_list,
                    "MCP list_tasks (no tasks)": mcp_list_empty,
                    "mcp-server GET /healthz": healthz,
                }
            )
        finally:
            await mcp.aclose()
            await probe.aclose()
            for connection in pool:
                await connection.close()

        rest, mcp_50, sql_50, mcp_0, http_floor = sequential.values()  # in the order given above
        figures["MCP hop p50"] = mcp_50 - sql_50
        print(
            "MCP hop, concurrency 1 (pure added latency, no queueing; MCP direct - SQL direct) p50:"
            f" {mcp_50 - sql_50:.2f} ms, of which an HTTP round trip {http_floor:.2f} ms, the MCP call itself"
            f" (MCP with no tasks - HTTP round trip) {mcp_0 - http_floor:.2f} ms, 50 tasks through it"
            f" (MCP 50 - MCP none - SQL 50) {mcp_50 - mcp_0 - sql_50:.2f} ms;"
            f" backend's own cost (REST - MCP direct): {rest - mcp_50:.2f} ms"
        )
        print(
            f"MCP hop, concurrency {args.concurrency} (includes queueing; MCP direct - SQL direct) p50:"
            f" list {mcp_list_p50 - sql_list_p50:.2f} ms,"
            f" add {mcp_add_p50 - sql_add_p50:.2f} ms; REST/SQL p50 ratio: list"
            f" {rest_list_p50 / sql_list_p50:.1f}x, add {rest_add_p50 / sql_add_p50:.1f}x;"
            f" backend's own cost (REST - MCP direct) p50: list {rest_list_p50 - mcp_list_p50:.2f} ms,"
            f" add {rest_add_p50 - mcp_add_p50:.2f} ms"
        )

        async def chat_turn() -> None:
            count_failure(await api.post(f"{user.prefix}/chat", json={"message": "What's pending?"}))

        await chat_turn()
        meter.start()
        samples, _ = await closed_loop(chat_turn, args.chat_turns, 1)
        figures["chat p50"] = line("chat turn, builtin model (list pending)", samples)
        meter.report("chat turn", len(samples))
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rate", type=float, default=100.0, help="arrival rate of the open-loop GETs")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--chat-turns", type=int, default=50)
    parser.add_argument("--log-dir", type=Path, help="keep each service's log in DIR/<service>.log")
    parser.add_argument(
        "--generator",
        choices=("auto", "vegeta", "python"),
        default="auto",
        help="open-loop load generator: auto = vegeta (built once if missing) and the Python loop, the target"
        " judged on vegeta when it could be built; vegeta or python = only that one",
    )
    args = parser.parse_args()
    compile_bytecode()
    print(f"load average at start: {load_average()}")
    # Built (once) before any service starts, so that compiling it disturbs no measurement.
    args.vegeta = loadgen.vegeta_binary() if args.generator in {"auto", "vegeta"} else None
    if args.generator == "vegeta" and args.vegeta is None:
        raise SystemExit("--generator vegeta: vegeta could not be built")

    stack = Stack(log_dir=args.log_dir)
    try:
        for service in stack.services.values():
            started = time.perf_counter()
            service.start(timeout=120)
            print(f"{service.name:<11} start to ready {time.perf_counter() - started:5.2f} s")
        time.sleep(2)
        for service in stack.services.values():
            assert service.process is not None
            print(f"{service.name:<11} idle RSS {rss_megabytes(service.process.pid):6.1f} MB")
        figures = asyncio.run(measure(stack, args))
        for service in stack.services.values():
            assert service.process is not None
            print(f"{service.name:<11} RSS after load {rss_megabytes(service.process.pid):6.1f} MB")
        print(f"load average: {load_average()}")
        for name, target in TARGETS.items():
            verdict = "ok" if figures[name] <= target else "OVER TARGET"
            source = f" [{figures['list p99 generator']}]" if name == "list p99 at rate" else ""
            print(f"target {name:<18} {figures[name]:7.2f} ms (target <= {target:.0f} ms): {verdict}{source}")
    finally:
        stack.close()


if __name__ == "__main__":
    main()
