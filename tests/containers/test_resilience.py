"""Failure and recovery of the containerized system: a killed container is replaced without data loss, a
database restart is ridden out without restarting any service, and `docker stop` drains on SIGTERM."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable

import pytest

from .api import ApiUser, add_task, sign_up, task_titles
from .docker import HEALTH_PATHS, docker, http_status, inspect
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


def tasks_status(user: ApiUser) -> int:
    return user.request("GET", "/tasks").status_code


def at(user: ApiUser, stack: ContainerStack) -> ApiUser:
    """The same user, addressing the current backend container (its published port changes on replacement)."""
    return dataclasses.replace(user, base_url=stack.url("backend"))


def start_times(stack: ContainerStack) -> dict[str, str]:
    return {service: inspect(stack.services[service].name)["State"]["StartedAt"] for service in START_ORDER}


@pytest.mark.parametrize("service", START_ORDER)
def test_a_killed_container_is_replaced_without_data_loss(stack: ContainerStack, service: str) -> None:
    user = sign_up(stack.url("backend"))
    add_task(user, f"written before {service} was killed")

    killed = stack.services[service]
    docker("kill", "--signal", "KILL", killed.name)
    assert killed.wait_exit() == 137
    stack.start_service(service)

    user = at(user, stack)
    eventually(lambda: tasks_status(user) == 200, what=f"task API back after replacing {service}")
    assert task_titles(user) == [f"written before {service} was killed"]
    if service == "agent":
        chat = user.request("POST", "/chat", {"message": "Add a task to call mum"})
        assert chat.status_code == 200, chat.text
    if service == "frontend":
        assert http_status(stack.url("frontend") + "/signin") == 200


def test_services_ride_out_a_database_restart(stack: ContainerStack) -> None:
    user = sign_up(stack.url("backend"))
    add_task(user, "survives the database restart")
    started = start_times(stack)

    postgres = stack.services["postgresql"]
    docker("stop", "--time", "30", postgres.name)
    eventually(lambda: tasks_status(user) == 503, timeout=15, what="503 while the database is down")
    assert http_status(stack.url("backend") + "/readyz") == 503
    assert http_status(stack.url("mcp-server") + "/readyz") == 503
    assert http_status(stack.url("backend") + "/healthz") == 200, "liveness never depends on the database"

    docker("start", postgres.name)
    stack.wait_postgres()
    eventually(lambda: tasks_status(user) == 200, what="task API back after the database restart")
    assert task_titles(user) == ["survives the database restart"]
    assert http_status(stack.url("backend") + "/readyz") == 200
    assert start_times(stack) == started, "no service was restarted"


@pytest.mark.parametrize("service", START_ORDER)
def test_docker_stop_drains_on_sigterm(stack: ContainerStack, service: str) -> None:
    container = stack.services[service]
    assert http_status(container.url + HEALTH_PATHS[service]) == 200
    start = time.monotonic()
    docker("stop", "--time", str(STOP_TIMEOUT_SECONDS), container.name, timeout=STOP_TIMEOUT_SECONDS + 30)
    elapsed = time.monotonic() - start
    exit_code = container.state()["ExitCode"]
    stack.start_service(service)
    assert exit_code in (0, 143), f"{service} exited {exit_code}: SIGTERM not honoured"
    assert elapsed < 10, f"{service} took {elapsed:.1f}s to stop"
