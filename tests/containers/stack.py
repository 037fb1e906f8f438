"""The whole system as containers, run the way the chart runs it: PostgreSQL, the migrations as one-shot
containers, then mcp-server, agent, backend and frontend, hardened (read-only root, writable /tmp only, no
capabilities, no new privileges, UID 10001, the chart's CPU/memory limits), configured only through
environment variables, on a user-defined network where the service names are the host names."""

from __future__ import annotations

import secrets
import time
import uuid
from dataclasses import dataclass, field

import httpx2
from todo_testing.catalog import Component, component, components
from todo_testing.docker import PUBLISHED_ADDRESS, Container, DockerError, docker

from .limits import Limits

HARDENING = [
    "--read-only",
    "--tmpfs",
    "/tmp:rw,nosuid,nodev,size=64m",
    "--cap-drop",
    "ALL",
    "--security-opt",
    "no-new-privileges",
    "--user",
    "10001:10001",
]
# The catalog's order: each service after those it calls.
START_ORDER = [c.name for c in components()]
STOP_TIMEOUT_SECONDS = 30


def service_url(entry: Component) -> str:
    """The component's address on the stack's network, where its service name is its host name."""
    return f"http://{entry.name}:{entry.port}"


@dataclass(frozen=True)
class StackImages:
    tag: str
    postgres: str

    def of(self, service: str) -> str:
        return component(service).image_ref(self.tag)


@dataclass
class ContainerStack:
    images: StackImages
    limits: dict[str, Limits]
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:8])
    db_password: str = field(default_factory=lambda: secrets.token_hex(16))
    internal_token: str = field(default_factory=lambda: secrets.token_hex(16))
    jwt_secret: str = field(default_factory=lambda: secrets.token_hex(32))
    services: dict[str, Container] = field(default_factory=dict)
    ready_seconds: dict[str, list[float]] = field(default_factory=dict)
    extra: list[Container] = field(default_factory=list)

    @property
    def network(self) -> str:
        return f"todo-ct-{self.run_id}"

    @property
    def database_url(self) -> str:
        return f"postgresql://todo:{self.db_password}@postgresql:5432/todo"

    def url(self, service: str) -> str:
        return self.services[service].url

    def client(self, service: str = "backend") -> httpx2.Client:
        """An HTTP client of the service's current container (its published port changes on replacement)."""
        return httpx2.Client(base_url=self.url(service), timeout=30)

    def env(self, service: str) -> dict[str, str]:
        """Configuration exactly as the chart gives it: environment variables only (the Secret's keys, the
        URLs of the components it calls, by their service names)."""
        entry = component(service)
        secret = {
            "DATABASE_URL": self.database_url,
            "INTERNAL_TOKEN": self.internal_token,
            "JWT_SECRET": self.jwt_secret,
        }
        env = {key: secret[key] for key in entry.secret_keys}
        env.update(entry.wiring({c.name: service_url(c) for c in components()}))
        if service == "mcp-server":
            env["MCP_ALLOWED_HOSTS"] = f"mcp-server:*,localhost:*,127.0.0.1:*,{PUBLISHED_ADDRESS}:*"
        if service == "agent":
            env["LLM_MODEL"] = "builtin"
        return {**env, "SHUTDOWN_TIMEOUT_SECONDS": "10"}

    def hardened(self, service: str, alias: str | None) -> list[str]:
        network = ["--network", self.network, *(["--network-alias", alias] if alias else [])]
        return [*HARDENING, *self.limits[service].docker_args(), *network]

    # -- lifecycle -------------------------------------------------------------------------------------

    def start(self) -> None:
        docker("network", "create", self.network)
        self.start_postgres()
        self.migrate()
        for service in START_ORDER:
            self.start_service(service)

    def close(self) -> None:
        for container in [*self.extra, *self.services.values()]:
            container.remove()
        docker("network", "rm", self.network, check=False)

    def start_postgres(self) -> None:
        postgres = Container(
            name=f"{self.network}-postgresql",
            image=self.images.postgres,
            args=["--network", self.network, "--network-alias", "postgresql"],
            env={"POSTGRES_USER": "todo", "POSTGRES_PASSWORD": self.db_password, "POSTGRES_DB": "todo"},
        )
        postgres.run()
        self.services["postgresql"] = postgres
        self.wait_postgres()

    def wait_postgres(self, timeout: float = 60.0) -> None:
        postgres = self.services["postgresql"]
        deadline = time.monotonic() + timeout
        while (
            postgres.exec("pg_isready", "-q", "-h", "127.0.0.1", "-U", "todo", "-d", "todo").returncode != 0
        ):
            if time.monotonic() > deadline:
                raise DockerError(f"PostgreSQL not ready in {timeout}s:\n{postgres.logs()}")
            time.sleep(0.2)

    def migrate(self) -> None:
        """The release hook: each schema owner's migration as a one-shot hardened container, in order."""
        for entry in components():
            if entry.migrations is None:
                continue
            service, module = entry.name, entry.migrations
            job = Container(
                name=f"{self.network}-migrate-{service}",
                image=self.images.of(service),
                args=self.hardened(service, alias=None),
                env={"DATABASE_URL": self.database_url},
                command=["python", "-m", module],
            )
            job.run()
            try:
                code = job.wait_exit(timeout=180)
                if code != 0:
                    raise DockerError(f"migration {module} exited {code}:\n{job.logs()}")
            finally:
                job.remove()

    def container(
        self, service: str, *, suffix: str = "", env: dict[str, str] | None = None, alias: str | None = None
    ) -> Container:
        return Container(
            name=f"{self.network}-{service}{suffix}",
            image=self.images.of(service),
            args=self.hardened(service, alias=alias),
            env={**self.env(service), **(env or {})},
            container_port=component(service).port,
        )

    def start_service(self, service: str) -> Container:
        """(Re)start the service's one container and wait until it is ready; records the time to ready."""
        old = self.services.pop(service, None)
        if old:
            old.remove()
        container = self.container(service, alias=service)
        container.run()
        self.services[service] = container
        seconds = container.wait_http(component(service).health.readiness)
        self.ready_seconds.setdefault(service, []).append(seconds)
        return container

    def start_extra(
        self, service: str, suffix: str, env: dict[str, str] | None = None, alias: str | None = None
    ) -> Container:
        """Another container of the same image, maybe configured differently (removed by `close`)."""
        container = self.container(service, suffix=suffix, env=env, alias=alias)
        container.run()
        self.extra.append(container)
        container.wait_http(component(service).health.readiness)
        return container
