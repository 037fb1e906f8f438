"""Real service processes and throwaway PostgreSQL databases for tests and benchmarks.

Every test that needs a running service starts it through this module, so services are started one way:
`python -m <package>` with configuration only from environment variables, on a free loopback port.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

import psycopg
from psycopg import sql

from .catalog import REPO_ROOT, component, migrations, python_components
from .probe import http_status

ADMIN_URL = os.environ.get("TEST_DATABASE_ADMIN_URL", "postgresql://todo:todo@127.0.0.1:5432/postgres")
INTERNAL_TOKEN = "test-internal-token-0123456789"
JWT_SECRET = "test-jwt-secret-0123456789abcdef0123456789"

# A ceiling for a loaded CI machine, not a performance claim: benchmarks/ measures start-up time.
STARTUP_TIMEOUT = 60.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class TestDatabase:
    """A uniquely named database created from the admin URL and dropped on `drop()`."""

    __test__ = False  # not a pytest test class

    def __init__(self, prefix: str = "todo_test") -> None:
        self.name = f"{prefix}_{uuid.uuid4().hex[:10]}"
        base, _, _ = ADMIN_URL.rpartition("/")
        self.url = f"{base}/{self.name}"
        with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(self.name)))

    def drop(self) -> None:
        with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(self.name)))

    def __enter__(self) -> TestDatabase:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.drop()


def run_module(
    module: str, env: Mapping[str, str], *, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """`python -m MODULE` to its end with exactly ENV, as a container or the release hook runs it; the
    output is captured for the caller to check."""
    return subprocess.run(
        [sys.executable, "-m", module],
        env=dict(env),
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def migrate(database_url: str, owners: tuple[str, ...] | None = None) -> None:
    """Run the schema owners' migrations (all, in catalog order, by default), as the release hook does."""
    env = {**os.environ, "DATABASE_URL": database_url, "LOG_FORMAT": "text"}
    for module in migrations() if owners is None else owners:
        # stdout is reserved for what the caller prints (the stack launcher's JSON line).
        subprocess.run(
            [sys.executable, "-m", module], env=env, check=True, cwd=REPO_ROOT, timeout=120, stdout=sys.stderr
        )


def service_env(name: str, urls: Mapping[str, str], database_url: str = "") -> dict[str, str]:
    """A Python component's configuration as the chart gives it: its Secret's keys (test values), the URLs
    of the components it calls (`urls`: their base URLs by name), and the agent's builtin model."""
    entry = component(name)
    secrets = {"DATABASE_URL": database_url, "JWT_SECRET": JWT_SECRET, "INTERNAL_TOKEN": INTERNAL_TOKEN}
    env = {key: secrets[key] for key in entry.secret_keys}
    if name == "agent":
        env["LLM_MODEL"] = "builtin"
    return {**env, **entry.wiring(urls)}


@dataclass
class ServiceProcess:
    """One service (a Python component of the catalog) as a real process; `start()` waits until its
    readiness endpoint answers 200."""

    name: str
    env: dict[str, str]
    port: int = field(default_factory=free_port)
    log_path: Path | None = None
    # Default: the component's readiness path from the catalog.
    ready_path: str | None = None
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = STARTUP_TIMEOUT) -> None:
        env = {**os.environ, "HOST": "127.0.0.1", "PORT": str(self.port), "LOG_FORMAT": "json", **self.env}
        log = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL  # noqa: SIM115
        self.process = subprocess.Popen(
            [sys.executable, "-m", str(component(self.name).package)],
            env=env,
            cwd=REPO_ROOT,
            stdout=log,
            stderr=log,
        )
        self.wait_ready(timeout)

    def wait_ready(self, timeout: float = STARTUP_TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        ready_url = self.url + (self.ready_path or component(self.name).health.readiness)
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(
                    f"{self.name} exited with {self.process.returncode} (log: {self.log_path})"
                )
            if http_status(ready_url, timeout=1) == 200:
                return
            time.sleep(0.05)
        raise TimeoutError(f"{self.name} not ready within {timeout}s (log: {self.log_path})")

    def stop(self, sig: signal.Signals = signal.SIGTERM, timeout: float = 30.0) -> int | None:
        """Send `sig` and wait for the exit; returns the exit code (None if it was not running)."""
        if self.process is None or self.process.poll() is not None:
            return None if self.process is None else self.process.returncode
        self.process.send_signal(sig)
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait()

    def kill(self) -> None:
        self.stop(signal.SIGKILL)

    def cpu_seconds(self) -> float:
        """CPU time the process has used so far (user + system, all threads): unlike wall time, it hardly
        depends on how busy the rest of the machine is."""
        assert self.process is not None
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rpartition(")")[2].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class ExternalDatabase:
    """A database the caller owns (e.g. on a private cluster): migrated by the Stack, never dropped by it."""

    def __init__(self, url: str) -> None:
        self.url = url

    def drop(self) -> None:
        pass


class Stack:
    """Every Python component of the catalog (the agent on its builtin model), wired to each other as the
    chart wires them, against one fresh database (or against `database_url`, which the caller owns)."""

    def __init__(
        self,
        log_dir: Path | None = None,
        database_url: str | None = None,
    ) -> None:
        self.database: TestDatabase | ExternalDatabase = (
            ExternalDatabase(database_url) if database_url else TestDatabase("todo_stack")
        )
        migrate(self.database.url)
        self.services: dict[str, ServiceProcess] = {}
        urls: dict[str, str] = {}
        for service in python_components():
            process = ServiceProcess(
                service.name,
                service_env(service.name, urls, self.database.url),
                log_path=log_dir / f"{service.name}.log" if log_dir else None,
            )
            self.services[service.name] = process
            urls[service.name] = process.url

    @property
    def backend(self) -> ServiceProcess:
        return self.services["backend"]

    @property
    def agent(self) -> ServiceProcess:
        return self.services["agent"]

    @property
    def mcp_server(self) -> ServiceProcess:
        return self.services["mcp-server"]

    def start(self, timeout: float = STARTUP_TIMEOUT) -> Stack:
        """Start every service, each given `timeout` seconds to become ready."""
        try:
            for service in self.services.values():
                service.start(timeout)
        except BaseException:
            self.close()
            raise
        return self

    def close(self) -> None:
        for service in reversed(self.services.values()):
            service.stop()
        self.database.drop()

    def __enter__(self) -> Stack:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.close()
