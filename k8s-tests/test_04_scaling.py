"""Scaling: each component scales on its own, requests spread over the replicas, and an HPA reacts to load."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2
import pytest
import yaml
from todo_k8s.commands import Kubectl
from todo_k8s.load import Load
from todo_k8s.portforward import port_forward
from todo_k8s.release import BACKEND_PORT, COMPONENTS, Release, is_ready, serving_pods, wait_until
from todo_k8s.requirements import unavailable
from todo_k8s.usage import metrics_api_available
from todo_testing.api import ApiUser

CHART = Path(__file__).resolve().parent.parent / "charts" / "todo"


def ready_replicas(release: Release) -> dict[str, int]:
    return {
        label: sum(1 for p in serving_pods(release.pods(label)) if is_ready(p))
        for label, _ in COMPONENTS.values()
    }


@pytest.fixture
def restore_scale(release: Release) -> Iterator[None]:
    yield
    release.upgrade()


@pytest.mark.usefixtures("restore_scale")
@pytest.mark.parametrize("key", list(COMPONENTS))
def test_a_component_scales_without_touching_the_others(release: Release, key: str) -> None:
    label = COMPONENTS[key][0]
    release.upgrade("--set", f"{key}.replicas=2")
    expected = {other: 2 if other == label else 1 for other, _ in COMPONENTS.values()}
    wait_until(f"{label} at 2 ready replicas", lambda: ready_replicas(release) == expected, timeout=180)


def served_requests(kubectl: Kubectl, pod: str) -> float:
    """Sum of http_requests_total on the /api/{user_id}/tasks route of one backend pod."""
    with port_forward(kubectl, f"pod/{pod}", BACKEND_PORT) as url:
        text = httpx2.get(f"{url}/metrics", timeout=10).text
    pattern = re.compile(
        r'^http_requests_total\{[^}]*route="/api/\{user_id\}/tasks"[^}]*\} ([0-9.e+]+)$', re.M
    )
    return sum(float(v) for v in pattern.findall(text))


@pytest.mark.usefixtures("restore_scale")
def test_requests_spread_over_the_backend_replicas(release: Release, user: ApiUser) -> None:
    release.upgrade("--set", "backend.replicas=2")
    pods = [p["metadata"]["name"] for p in serving_pods(release.pods("backend")) if is_ready(p)]
    assert len(pods) == 2
    before = {pod: served_requests(release.kubectl, pod) for pod in pods}
    # Straight to the backend Service, one connection per request: kube-proxy balances connections, and the
    # frontend's keep-alive connections would each stay with one pod.
    load = Load(release, user, rate_per_target=10, components=("backend",))
    try:
        load.start()
        time.sleep(10)
        report = load.stop()
    finally:
        load.delete()
    assert report.failed == 0, report
    after = {pod: served_requests(release.kubectl, pod) for pod in pods}
    shares = {pod: after[pod] - before[pod] for pod in pods}
    total = sum(shares.values())
    assert total >= report.sent * 0.9, (shares, report)
    assert all(share >= total * 0.2 for share in shares.values()), shares


# Percent of the backend's CPU request: an idle pod stays well below it (a small fraction, even right
# after the previous test's load); the test's load (25 requests/s to the backend) goes far above it.
HPA_TARGET_CPU = 60


@pytest.mark.usefixtures("restore_scale")
def test_the_hpa_scales_the_backend_out_under_load(release: Release, user: ApiUser, kubectl: Kubectl) -> None:
    if not metrics_api_available(kubectl):
        unavailable(
            "no metrics API in this cluster (install metrics-server; Minikube: addons enable metrics-server)"
        )
    release.upgrade(
        "--set",
        "backend.autoscaling.enabled=true",
        "--set",
        "backend.autoscaling.minReplicas=1",
        "--set",
        "backend.autoscaling.maxReplicas=3",
        "--set",
        f"backend.autoscaling.targetCPUUtilizationPercentage={HPA_TARGET_CPU}",
        "--set",
        "backend.autoscaling.targetMemoryUtilizationPercentage=100",
    )
    hpa = release.object_name("backend")

    def status() -> dict[str, Any]:
        result: dict[str, Any] = release.kubectl.json("get", "hpa", hpa).get("status", {})
        return result

    def desired_idle() -> bool:
        current = status()  # one reading for both conditions
        return bool(current.get("desiredReplicas", 1) == 1 and 0 <= cpu_utilization(current) < HPA_TARGET_CPU)

    def cpu_utilization(current: dict[str, Any] | None = None) -> int:
        for metric in (status() if current is None else current).get("currentMetrics") or []:
            if metric.get("resource", {}).get("name") == "cpu":
                return int(metric["resource"]["current"].get("averageUtilization", 0))
        return -1

    wait_until("the HPA to read CPU metrics", lambda: cpu_utilization() >= 0, timeout=180, interval=5)
    # Metrics are averaged over a window that may still hold the previous tests' load: give the idle pod
    # time to settle, and fail only if the HPA keeps wanting more replicas with no load at all.
    try:
        wait_until("the idle backend to need one replica", desired_idle, timeout=180, interval=5)
    except AssertionError:
        pytest.fail(f"scaled out while idle: {status()}")
    load = Load(release, user, rate_per_target=25)
    try:
        load.start()
        waited = wait_until(
            "the HPA to scale out", lambda: status().get("desiredReplicas", 1) > 1, timeout=300, interval=5
        )
        print(
            f"[k8s-tests] HPA scaled the backend out after {waited:.0f}s of load (CPU {cpu_utilization()}%)"
        )
        assert cpu_utilization() > HPA_TARGET_CPU
    finally:
        load.stop()
        load.delete()


def hpa_statuses(release: Release) -> dict[str, dict[str, Any]]:
    items = release.kubectl.json("get", "hpa", "-l", release.selector())["items"]
    return {item["metadata"]["name"]: item for item in items}


@pytest.mark.usefixtures("restore_scale")
def test_an_idle_release_with_the_production_autoscaling_stays_at_min_replicas(
    release: Release, kubectl: Kubectl, tmp_path: Path
) -> None:
    """values-production.yaml's HPAs on an idle release: each reads its metrics and keeps minReplicas."""
    if not metrics_api_available(kubectl):
        unavailable("no metrics API in this cluster (install metrics-server)")
    production = yaml.safe_load((CHART / "values-production.yaml").read_text())
    overrides = tmp_path / "production-autoscaling.yaml"
    overrides.write_text(
        yaml.safe_dump({key: {"autoscaling": production[key]["autoscaling"]} for key in COMPONENTS})
    )
    release.upgrade("-f", str(overrides))
    minimum = {
        release.object_name(label): production[key]["autoscaling"]["minReplicas"]
        for key, (label, _) in COMPONENTS.items()
    }

    def every_metric_read() -> bool:
        statuses = hpa_statuses(release)
        return set(statuses) == set(minimum) and all(
            len(s["status"].get("currentMetrics") or []) == len(s["spec"]["metrics"])
            # An HPA lists a metric it cannot read yet as an entry without `resource`.
            and all(
                "averageUtilization" in m.get("resource", {}).get("current", {})
                for m in s["status"]["currentMetrics"]
            )
            for s in statuses.values()
        )

    wait_until("every HPA to read its metrics", every_metric_read, timeout=240, interval=5)

    def counts() -> dict[str, tuple[int, int]]:
        return {
            name: (s["status"].get("desiredReplicas"), s["status"].get("currentReplicas"))
            for name, s in hpa_statuses(release).items()
        }

    at_minimum = {name: (count, count) for name, count in minimum.items()}
    wait_until("every HPA to reach minReplicas", lambda: counts() == at_minimum, timeout=120, interval=5)
    # A minute of idle readings (four HPA sync periods each): a ratcheting target scales out within one.
    readings = []
    for _ in range(7):
        readings.append(counts())
        time.sleep(10)
    metrics = {name: s["status"]["currentMetrics"] for name, s in hpa_statuses(release).items()}
    for reading in readings:
        assert reading == at_minimum, (readings, metrics)
