"""Self-healing: deleted pods and killed containers come back by themselves; with 2 replicas no request fails;
deleting the PostgreSQL pod loses no data (its PersistentVolumeClaim outlives it)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx2
import pytest
from todo_k8s.commands import CommandError
from todo_k8s.load import Load
from todo_k8s.portforward import port_forward
from todo_k8s.release import BACKEND_PORT, COMPONENTS, Release, is_ready, serving_pods, wait_until
from todo_testing.api import ApiUser, create_task, list_tasks

ALL = [label for label, _ in COMPONENTS.values()] + ["postgresql"]
RUNTIME = {"frontend": "node", "postgresql": "postgres"}

# A process inside a container's PID namespace cannot SIGKILL that namespace's PID 1 (the kernel only
# delivers signals PID 1 handles), so the test sends SIGTERM, which every server here handles and exits on.
KILL_PID_1 = {
    "python": ["python", "-c", "import os, signal; os.kill(1, signal.SIGTERM)"],
    "node": ["node", "-e", "process.kill(1, 'SIGTERM')"],
    # PostgreSQL: SIGINT is its "fast" shutdown (SIGTERM would wait for the pooled clients to leave).
    "postgres": ["bash", "-c", "kill -INT 1"],
}


def ready_pods(release: Release, component: str) -> list[dict[str, Any]]:
    return [p for p in serving_pods(release.pods(component)) if is_ready(p)]


@pytest.mark.parametrize("component", ALL)
def test_a_deleted_pod_is_replaced(release: Release, component: str) -> None:
    # Only a pod created after the deletion counts (an earlier test may leave a second one terminating).
    existing = {p["metadata"]["uid"] for p in serving_pods(release.pods(component))}
    old = ready_pods(release, component)[0]["metadata"]
    release.kubectl("delete", "pod", old["name"], "--wait=false")
    took = wait_until(
        f"a new ready {component} pod",
        lambda: any(p["metadata"]["uid"] not in existing for p in ready_pods(release, component)),
        timeout=180,
    )
    print(f"[k8s-tests] {component}: replacement pod ready after {took:.0f}s")


def restarts(release: Release, pod_name: str) -> int:
    pod = release.kubectl.json("get", "pod", pod_name)
    return sum(int(s["restartCount"]) for s in pod["status"].get("containerStatuses", []))


@pytest.mark.parametrize("component", ALL)
def test_a_killed_container_is_restarted(release: Release, component: str) -> None:
    pod = ready_pods(release, component)[0]["metadata"]["name"]
    before = restarts(release, pod)
    try:
        release.kubectl("exec", pod, "--", *KILL_PID_1[RUNTIME.get(component, "python")], timeout=60)
    except CommandError as exc:
        # The container stopping takes the exec'd process with it (SIGKILL, 137) if that has not exited yet.
        if "exit code 137" not in str(exc):
            raise
    wait_until(
        f"{component} restarted in the same pod and ready",
        lambda: restarts(release, pod) > before and pod in names(ready_pods(release, component)),
        timeout=240,
    )


def names(pods: list[dict[str, Any]]) -> set[str]:
    return {p["metadata"]["name"] for p in pods}


def two_ready(release: Release, component: str) -> Callable[[], bool]:
    return lambda: len(ready_pods(release, component)) == 2


@pytest.fixture
def two_replicas(release: Release) -> Iterator[None]:
    release.upgrade(*[arg for key in COMPONENTS for arg in ("--set", f"{key}.replicas=2")])
    yield
    release.upgrade()


@pytest.mark.usefixtures("two_replicas")
def test_with_two_replicas_deleting_pods_fails_no_request(release: Release, user: ApiUser) -> None:
    load = Load(release, user)
    try:
        load.start()
        for component in [label for label, _ in COMPONENTS.values()]:
            victim = ready_pods(release, component)[0]["metadata"]
            release.kubectl("delete", "pod", victim["name"], "--wait=true", timeout=120)
            wait_until(f"2 ready {component} pods", two_ready(release, component), 180)
        report = load.stop()
    finally:
        load.delete()
    print(f"[k8s-tests] pod deletions under load: {report.sent} requests, {report.failed} failed")
    assert report.failed == 0, report
    assert report.sent > 0


def test_deleting_the_postgresql_pod_loses_no_data(
    release: Release, backend: httpx2.Client, user: ApiUser
) -> None:
    task = create_task(backend, user, "Survives a database restart")
    old = serving_pods(release.pods("postgresql"))[0]["metadata"]
    release.kubectl("delete", "pod", old["name"], "--wait=true", timeout=180)
    wait_until(
        "PostgreSQL back",
        lambda: any(p["metadata"]["uid"] != old["uid"] for p in ready_pods(release, "postgresql")),
        timeout=240,
    )
    # The port-forward went to the backend pod, which is still there; its database connections were not.
    with port_forward(release.kubectl, f"svc/{release.object_name('backend')}", BACKEND_PORT) as url:
        client = httpx2.Client(base_url=url, timeout=30)

        def task_is_back() -> bool:
            try:
                return task["id"] in [t["id"] for t in list_tasks(client, user)]
            except (AssertionError, httpx2.HTTPError):
                return False

        wait_until("the task readable again", task_is_back, timeout=120)
