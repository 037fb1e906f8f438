"""Agent service figures: time from process start to ready, chat-turn latency of `POST /v1/respond` with
the builtin model (the real Agents SDK runner and real MCP tool calls; a title matched in other word forms;
the longest message), throughput with concurrent callers, and memory.

    uv run python -m benchmarks.agent [--turns N] [--concurrency C]

Runs the real mcp-server and agent processes on a fresh database (created and dropped here), on free
loopback ports.
"""

from __future__ import annotations

import argparse
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx2
from todo_testing.catalog import component
from todo_testing.processes import INTERNAL_TOKEN, ServiceProcess, TestDatabase, migrate, service_env

from benchmarks.bytecode import compile_bytecode
from benchmarks.mcp_server import report, rss_megabytes


def turn(client: httpx2.Client, user_id: str, message: str) -> float:
    started = time.perf_counter()
    response = client.post(
        "/v1/respond", json={"user_id": user_id, "messages": [{"role": "user", "content": message}]}
    )
    elapsed = time.perf_counter() - started
    response.raise_for_status()
    return elapsed


def measure(agent_url: str, turns: int, concurrency: int) -> None:
    headers = {"Authorization": f"Bearer {INTERNAL_TOKEN}"}
    with httpx2.Client(base_url=agent_url, headers=headers, timeout=60, trust_env=False) as client:
        user = str(uuid.uuid4())
        turn(client, user, "What's pending?")  # connects the MCP session once
        report("add (1 tool call)", [turn(client, user, f"Add a task to bench {i}") for i in range(turns)])
        report(
            f"list pending, {turns} tasks (1 tool call)",
            [turn(client, user, "What's pending?") for _ in range(turns)],
        )
        other = str(uuid.uuid4())
        for i in range(turns):
            turn(client, other, f"Add a task to delete item number {i}")
        report(
            "delete by name (list + delete)",
            [turn(client, other, f"Delete the item number {i} task") for i in range(turns)],
        )
        third = str(uuid.uuid4())
        for i in range(turns):
            turn(client, third, f"Add a task to call contact {i} tomorrow")
        report(
            f"complete by word forms, {turns} tasks",
            [turn(client, third, f"I called contact {i}") for i in range(turns)],
        )
        # Understanding time must not grow badly with the length: the longest message, built to backtrack.
        longest = ("mark " + "the report is " * 400)[:3990] + " as done"
        report("a 4000-character message", [turn(client, third, longest) for _ in range(turns)])

        def worker(index: int) -> list[float]:
            user_id = str(uuid.uuid4())
            return [
                turn(client, user_id, f"Add a task to load {index}-{i}") for i in range(turns // concurrency)
            ]

        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=concurrency) as pool:
            results = list(pool.map(worker, range(concurrency)))
        elapsed = time.perf_counter() - started
    samples = [sample for result in results for sample in result]
    report(f"add ({concurrency} concurrent users)", samples)
    print(f"{'throughput':<34} {len(samples) / elapsed:7.1f} turns/s with {concurrency} concurrent callers")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--turns", type=int, default=100, help="chat turns per measurement (default 100)")
    parser.add_argument("--concurrency", type=int, default=10, help="concurrent callers (default 10)")
    args = parser.parse_args()
    compile_bytecode()

    database = TestDatabase("todo_bench_agent")
    try:
        migrate(database.url, owners=(str(component("mcp-server").migrations),))
        mcp = ServiceProcess("mcp-server", service_env("mcp-server", {}, database.url))
        mcp.start(timeout=120)
        agent = ServiceProcess("agent", service_env("agent", {"mcp-server": mcp.url}))
        try:
            started = time.perf_counter()
            agent.start(timeout=120)
            print(f"{'start to ready':<34} {time.perf_counter() - started:7.2f} s")
            assert agent.process is not None
            print(f"{'memory (RSS) when ready':<34} {rss_megabytes(agent.process.pid):7.1f} MB")
            measure(agent.url, args.turns, args.concurrency)
            print(f"{'memory (RSS) after the load':<34} {rss_megabytes(agent.process.pid):7.1f} MB")
        finally:
            agent.stop()
            mcp.stop()
    finally:
        database.drop()


if __name__ == "__main__":
    main()
