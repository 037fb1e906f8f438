"""Failure and recovery of the containerized system: a killed container is replaced without data loss, a
database restart is ridden out without restarting any service, and `docker stop` drains on SIGTERM."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable

import httpx2
import pytest
from todo_testing.api import PASSWORD, ApiUser, chat, create_task, request, sign_up, task_titles
from todo_testing.catalog import component
from todo_testing.docker import docker, inspect
from todo_testing.probe import http_status

from .stack import START_ORDER, STOP_TIMEOUT_SECONDS, ContainerStack

RECOVERY_SECONDS = 45.0


def eventually(
    check: Callable[[], bool], timeout: float = RECOVERY_SECONDS, what: str = "condition"
) -> float:
    """Poll `check` until it holds; return how long that took."""
    start = time.monotonic()
    while not check():
        if time.monotonic() - start > timeout:
            raise AssertionError(f"{what} did not hold within {timeout}s")
        time.sleep(0.25)
    return time.monotonic() - start


def tasks_status(api: httpx2.Client, user: ApiUser) -> int:
    return request(api, user, "GET", "/tasks").status_code


def start_times(stack: ContainerStack) -> dict[str, str]:
    return {service: inspect(stack.services[service].name)["State"]["StartedAt"] for service in START_ORDER}


@pytest.mark.parametrize("service", START_ORDER)
def test_a_killed_container_is_replaced_without_data_loss(stack: ContainerStack, service: str) -> None:
    with stack.client() as api:
        user = sign_up(api)
        create_task(api, user, f"written before {service} was killed")

    killed = stack.services[service]
    docker("kill", "--signal", "KILL", killed.name)
    assert killed.wait_exit() == 137
    stack.start_service(service)

    with stack.client() as api:
        eventually(lambda: tasks_status(api, user) == 200, what=f"task API back after replacing {service}")
        assert task_titles(api, user) == [f"written before {service} was killed"]
        if service == "agent":
            chat(api, user, "Add a task to call mum")
    if service == "frontend":
        assert http_status(stack.url("frontend") + "/signin") == 200


def test_services_ride_out_a_database_restart(stack: ContainerStack) -> None:
    with stack.client() as api:
        user = sign_up(api)
        create_task(api, user, "survives the database restart")
        started = start_times(stack)

        postgres = stack.services["postgresql"]
        docker("stop", "--time", "30", postgres.name)
        eventually(lambda: tasks_status(api, user) == 503, timeout=15, what="503 while the database is down")
        assert http_status(stack.url("backend") + "/readyz") == 503
        assert http_status(stack.url("mcp-server") + "/readyz") == 503
        assert http_status(stack.url("backend") + "/healthz") == 200, "liveness never depends on the database"

        docker("start", postgres.name)
        stack.wait_postgres()
        eventually(lambda: tasks_status(api, user) == 200, what="task API back after the database restart")
        assert task_titles(api, user) == ["survives the database restart"]
    assert http_status(stack.url("backend") + "/readyz") == 200
    assert start_times(stack) == started, "no service was restarted"


@pytest.mark.parametrize("service", START_ORDER)
def test_docker_stop_drains_on_sigterm(stack: ContainerStack, service: str) -> None:
    container = stack.services[service]
    assert http_status(container.url + component(service).health.liveness) == 200
    start = time.monotonic()
    docker("stop", "--time", str(STOP_TIMEOUT_SECONDS), container.name, timeout=STOP_TIMEOUT_SECONDS + 30)
    elapsed = time.monotonic() - start
    exit_code = container.state()["ExitCode"]
    stack.start_service(service)
    assert exit_code in (0, 143), f"{service} exited {exit_code}: SIGTERM not honoured"
    assert elapsed < 10, f"{service} took {elapsed:.1f}s to stop"


def test_a_stopped_backend_finishes_the_request_in_flight(stack: ContainerStack) -> None:
    """SIGTERM stops new work but drains what was accepted: a login whose body arrives after the stop
    began still gets its answer, and the process then exits cleanly."""
    with stack.client() as api:
        user = sign_up(api)
    body = json.dumps({"email": user.email, "password": PASSWORD}).encode()
    head = (
        "POST /api/auth/login HTTP/1.1\r\nHost: backend\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode()
    backend = stack.services["backend"]
    host, port = backend.url.removeprefix("http://").rsplit(":", 1)
    stopped: dict[str, float] = {}

    def stop() -> None:
        start = time.monotonic()
        docker("stop", "--time", str(STOP_TIMEOUT_SECONDS), backend.name, timeout=STOP_TIMEOUT_SECONDS + 30)
        stopped["seconds"] = time.monotonic() - start

    with socket.create_connection((host, int(port)), timeout=30) as connection:
        connection.sendall(head + body[:5])
        time.sleep(1.0)  # the server has the request line and headers: the request is in flight
        stopper = threading.Thread(target=stop)
        stopper.start()
        time.sleep(2.0)  # SIGTERM has been delivered; the server is draining
        assert backend.state()["Running"], "the backend must wait for the request in flight"
        connection.sendall(body[5:])
        response = b""
        while chunk := connection.recv(65536):
            response += chunk
        stopper.join()
    exit_code = backend.state()["ExitCode"]
    stack.start_service("backend")
    assert response.startswith(b"HTTP/1.1 200"), response[:200]
    assert json.loads(response.split(b"\r\n\r\n", 1)[1])["user"]["id"] == user.id
    assert exit_code == 0
    assert stopped["seconds"] < STOP_TIMEOUT_SECONDS
