"""The chart's pod specs run as rendered on the real images (Docker engine, marker `containers`):
the migration Job against a fresh PostgreSQL database, the `helm test` pods against the real stack, every
preStop pause, and the frontend with its writable directories and HOSTNAME override.

Images: `todo-<service>:$CONTAINER_TESTS_TAG` (default containertest, as built by the container tests;
`scripts/build-images --tag dev` + CONTAINER_TESTS_TAG=dev works too). Skipped, saying why, without them.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from todo_testing import docker
from todo_testing.catalog import component, components
from todo_testing.probe import http_status

from .chart import COMPONENTS, Obj, Rendered, render, user_values
from .pod_in_docker import PodContext, run_args

pytestmark = [
    pytest.mark.containers,
    pytest.mark.skipif(
        not docker.LOCAL_ENGINE,
        reason="the pods share this machine's network with its PostgreSQL and stack: they need its Docker",
    ),
]

TAG = os.environ.get("CONTAINER_TESTS_TAG", "containertest")
ADMIN_URL = os.environ.get("TEST_DATABASE_ADMIN_URL", "postgresql://todo:todo@127.0.0.1:5432/postgres")
PRE_STOP_SECONDS = 2


@pytest.fixture(scope="module")
def rendered() -> Rendered:
    if not docker.available():
        pytest.skip("no Docker engine")
    missing = [c.image_ref(TAG) for c in components() if not docker.image_present(c.image_ref(TAG))]
    if missing:
        pytest.skip(f"images not built: {', '.join(missing)} (scripts/build-images --tag {TAG})")
    rollout = {"rollout": {"preStopSeconds": PRE_STOP_SECONDS}}
    extra: Obj = {"global": {"image": {"tag": TAG}}, **{key: rollout for key in COMPONENTS}}
    return render(user_values("values-minikube.yaml", extra=extra))


def context(
    rendered: Rendered, scratch: Path, secrets: dict[str, str], runtime_env: dict[str, str] | None = None
) -> PodContext:
    # The Secret itself is created in the cluster by the secret-init hook; the pods name it.
    backend = rendered.component("Deployment", "backend")["spec"]["template"]["spec"]["containers"][0]
    refs = [
        e["valueFrom"]["secretKeyRef"] for e in backend["env"] if "secretKeyRef" in e.get("valueFrom", {})
    ]
    secret_name = refs[0]["name"]
    return PodContext(rendered.config_maps_data(), {secret_name: secrets}, scratch, runtime_env or {})


def docker_run(args: list[str], timeout: float = 180) -> str:
    """`docker run --rm ARGS` to its end; its output (DockerError, with the output, when it fails)."""
    return docker.docker("run", "--rm", *args, timeout=timeout)


@pytest.fixture
def database() -> Iterator[str]:
    name = f"chart_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield f"{ADMIN_URL.rpartition('/')[0]}/{name}"
    finally:
        with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def test_the_migration_job_creates_both_schemas_and_can_run_again(
    rendered: Rendered, database: str, tmp_path: Path
) -> None:
    pod = rendered.component("Job", "migrations")["spec"]["template"]["spec"]
    pod_context = context(rendered, tmp_path, {"DATABASE_URL": database})
    for attempt in ("install", "upgrade"):
        for container in pod["initContainers"] + pod["containers"]:
            try:
                docker_run(["--network", "host", *run_args(pod, container, pod_context)])
            except docker.DockerError as exc:
                pytest.fail(f"{attempt}/{container['name']}: {exc}")
    with psycopg.connect(database) as conn:
        tables = {
            row[0] for row in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        }
    assert {
        "task",
        "app_user",
        "conversation",
        "message",
        "alembic_version_mcp",
        "alembic_version_backend",
    } <= tables


def test_helm_test_pods_pass_in_the_project_image_against_the_real_stack(
    rendered: Rendered, stack: dict[str, str], tmp_path: Path
) -> None:
    # Service DNS names do not exist here: only the URLs change, to the stack's loopback ports.
    services = {"backend": stack["backend_url"], "mcp-server": stack["mcp_server_url"].removesuffix("/mcp")}
    services["agent"] = stack["agent_url"]
    overrides = {
        "todo-tests-readiness": {"READINESS_URLS": ",".join(f"{n}={u}/readyz" for n, u in services.items())},
        "todo-tests-user-flow": {"BACKEND_URL": stack["backend_url"]},
    }
    pod_context = context(rendered, tmp_path, {})
    for pod_object in rendered.of_kind("Pod"):
        pod = pod_object["spec"]
        env = overrides[pod_object["metadata"]["name"]]
        try:
            docker_run(
                ["--network", "host", *run_args(pod, pod["containers"][0], pod_context, env_overrides=env)]
            )
        except docker.DockerError as exc:
            pytest.fail(f"{pod_object['metadata']['name']}: {exc}")


@pytest.mark.parametrize("component", [c for c, _ in COMPONENTS.values()])
def test_the_prestop_pause_runs_in_the_image_under_the_pod_constraints(
    rendered: Rendered, component: str, tmp_path: Path
) -> None:
    pod = rendered.component("Deployment", component)["spec"]["template"]["spec"]
    container = pod["containers"][0]
    command = container["lifecycle"]["preStop"]["exec"]["command"]
    secrets = {"JWT_SECRET": "x" * 40, "INTERNAL_TOKEN": "y" * 20, "DATABASE_URL": "postgresql://u:p@db/x"}
    started = time.monotonic()
    docker_run(
        [
            "--network",
            "none",
            *run_args(pod, container, context(rendered, tmp_path, secrets), command=command),
        ]
    )
    assert time.monotonic() - started >= PRE_STOP_SECONDS


def wait_for_status(url: str, timeout: float) -> int | None:
    """The first status `url` answers with, or None when nothing answers within `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while (status := http_status(url, timeout=3)) is None and time.monotonic() < deadline:
        time.sleep(1)
    return status


def test_the_frontend_serves_on_all_interfaces_with_a_read_only_root(
    rendered: Rendered, tmp_path: Path
) -> None:
    pod = rendered.component("Deployment", "frontend")["spec"]["template"]["spec"]
    container = pod["containers"][0]
    name = f"chart-frontend-{uuid.uuid4().hex[:8]}"
    pod_name = "todo-frontend-5d9c7-abcde"
    # Like Kubernetes: the runtime sets HOSTNAME to the pod name; the pod's env must override it, or the
    # Next.js server listens only on the pod's address (and not on loopback).
    port = component("frontend").port
    args = ["-d", "--name", name, "--hostname", pod_name, "-p", f"127.0.0.1::{port}"]
    pod_context = context(rendered, tmp_path, {}, {"HOSTNAME": pod_name})
    docker.docker("run", "--rm", *args, *run_args(pod, container, pod_context), timeout=60)
    try:
        published = docker.docker("port", name, f"{port}/tcp").splitlines()[0]
        status = wait_for_status(f"http://{published}{component('frontend').health.liveness}", timeout=90)
        assert status == 200, f"{status}: {docker.docker('logs', name, check=False)}"
        probe = (
            f"fetch('http://127.0.0.1:{port}/api/healthz')"
            ".then(r => process.exit(r.ok ? 0 : 1), () => process.exit(2))"
        )
        try:
            docker.docker("exec", name, "node", "-e", probe, timeout=30)
        except docker.DockerError as exc:
            pytest.fail(f"not listening on loopback: {exc}")
    finally:
        docker.docker("stop", "--time", "5", name, timeout=60, check=False)
