"""The scripts the `helm test` pods run, run here as real processes against real HTTP servers:
the readiness check against small servers on free loopback ports, the user flow against the real stack."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from .chart import CHART_DIR

SCRIPTS = CHART_DIR / "files" / "tests"
REPO_ROOT = CHART_DIR.parents[1]


def run_script(name: str, env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
    # Only the variables the pod sets: the script must not depend on anything else.
    return subprocess.run(
        [sys.executable, str(SCRIPTS / name)],
        env={"PATH": os.environ.get("PATH", ""), **env},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


HEALTH_PATHS = ("/healthz", "/readyz", "/api/healthz")


class Health:
    """A server whose health paths answer 503 until `ready_after` seconds have passed (negative: never)."""

    def __init__(self, ready_after: float, port: int = 0) -> None:
        started, health = time.monotonic(), self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                ready = health.ready_after >= 0 and time.monotonic() - started >= health.ready_after
                status = 200 if ready and self.path in HEALTH_PATHS else 503
                if self.path not in HEALTH_PATHS:
                    status = 404
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *_: object) -> None:
                return

        self.ready_after = ready_after
        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def servers() -> Iterator[list[Health]]:
    started: list[Health] = []
    yield started
    for server in started:
        server.close()


def test_readiness_check_passes_when_every_service_is_ready_even_if_late(servers: list[Health]) -> None:
    servers += [Health(0), Health(3)]
    urls = f"frontend={servers[0].url}/api/healthz,backend={servers[1].url}/readyz"
    result = run_script("check_ready.py", {"READINESS_URLS": urls, "READY_TIMEOUT_SECONDS": "30"})
    assert result.returncode == 0, result.stderr
    assert "ready: frontend" in result.stdout
    assert "ready: backend" in result.stdout


def test_readiness_check_fails_naming_the_service_that_is_not_ready(servers: list[Health]) -> None:
    servers += [Health(0), Health(-1)]
    urls = (
        f"backend={servers[0].url}/readyz,agent={servers[1].url}/readyz,mcp-server=http://127.0.0.1:9/readyz"
    )
    result = run_script("check_ready.py", {"READINESS_URLS": urls, "READY_TIMEOUT_SECONDS": "3"})
    assert result.returncode == 1
    assert f"NOT READY: agent {servers[1].url}/readyz -> 503" in result.stderr
    assert "NOT READY: mcp-server" in result.stderr
    assert "backend" not in result.stderr


@pytest.mark.parametrize("urls", ["", "backend", "backend=ftp://x/readyz"])
def test_readiness_check_refuses_a_bad_configuration(urls: str) -> None:
    result = run_script("check_ready.py", {"READINESS_URLS": urls})
    assert result.returncode == 2
    assert "configuration error" in result.stderr


def test_user_flow_fails_with_the_step_and_status_when_the_backend_misbehaves(servers: list[Health]) -> None:
    servers.append(Health(0))  # answers 404 to POST-less paths and 501 to POST: not a backend
    result = run_script("user_flow.py", {"BACKEND_URL": servers[0].url}, timeout=30)
    assert result.returncode == 1
    assert "FAILED: sign up: HTTP 501" in result.stderr


def test_user_flow_waits_while_the_network_refuses_connections(servers: list[Health]) -> None:
    # As under a NetworkPolicy enforcer that lets a new pod's traffic through only after a moment.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    late = threading.Timer(2.0, lambda: servers.append(Health(0, port)))
    late.start()
    try:
        result = run_script("user_flow.py", {"BACKEND_URL": f"http://127.0.0.1:{port}"}, timeout=60)
    finally:
        late.join()
    assert "ok: backend reachable" in result.stdout, result.stderr
    assert "FAILED: sign up: HTTP 501" in result.stderr  # it went on to the flow once the server answered


def test_user_flow_refuses_a_bad_configuration() -> None:
    result = run_script("user_flow.py", {"BACKEND_URL": "todo-backend:8000"})
    assert result.returncode == 2


def test_user_flow_passes_against_the_real_stack(stack: dict[str, str]) -> None:
    result = run_script("user_flow.py", {"BACKEND_URL": stack["backend_url"]})
    assert result.returncode == 0, result.stdout + result.stderr
    steps = [line.removeprefix("ok: ") for line in result.stdout.splitlines() if line.startswith("ok: ")]
    assert steps == [
        "backend reachable",
        "sign up",
        "add task",
        "list tasks",
        "chat turn",
        "conversation stored",
        "delete task",
    ]


def test_user_flow_skips_the_chat_turn_when_told_the_model_is_paid(stack: dict[str, str]) -> None:
    result = run_script("user_flow.py", {"BACKEND_URL": stack["backend_url"], "CHAT_TURN": "false"})
    assert result.returncode == 0, result.stdout + result.stderr
    steps = [line.removeprefix("ok: ") for line in result.stdout.splitlines() if line.startswith("ok: ")]
    assert steps == ["backend reachable", "sign up", "add task", "list tasks", "delete task"]


def test_readiness_check_passes_against_the_real_stack(stack: dict[str, str]) -> None:
    urls = ",".join(
        f"{name}={stack[key].removesuffix('/mcp')}/readyz"
        for name, key in (
            ("backend", "backend_url"),
            ("mcp-server", "mcp_server_url"),
            ("agent", "agent_url"),
        )
    )
    result = run_script("check_ready.py", {"READINESS_URLS": urls, "READY_TIMEOUT_SECONDS": "30"})
    assert result.returncode == 0, result.stderr


def test_scripts_use_only_the_standard_library() -> None:
    for script in SCRIPTS.glob("*.py"):
        result = subprocess.run(
            [
                sys.executable,
                "-I",
                "-S",
                "-c",
                f"import runpy, sys; sys.argv=['x']; runpy.run_path({str(script)!r}, run_name='__main__')",
            ],
            env={"READINESS_URLS": "", "BACKEND_URL": ""},
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        # -I -S: no site-packages. The script must get as far as its own configuration check.
        assert "ModuleNotFoundError" not in result.stderr, f"{script.name}: {result.stderr}"
        assert "configuration error" in result.stderr, f"{script.name}: {result.stderr}"


def test_scripts_exist_where_the_chart_loads_them() -> None:
    assert sorted(p.name for p in Path(SCRIPTS).glob("*.py")) == ["check_ready.py", "user_flow.py"]
