"""One installed release of charts/todo: names, labels and pod state, read from the cluster."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from todo_testing import catalog

from todo_k8s.commands import Helm, Kubectl

# values key -> (component label, port), from the catalog.
COMPONENTS: dict[str, tuple[str, int]] = {c.values_key: (c.name, c.port) for c in catalog.components()}
BACKEND_PORT = catalog.component("backend").port
FRONTEND_PORT = catalog.component("frontend").port
CHART_NAME = "todo"


@dataclass
class Release:
    name: str
    namespace: str
    kubectl: Kubectl
    helm: Helm
    image_tag: str
    # Arguments of the install (chart, values files, --set), reused by every upgrade.
    base_args: list[str] = field(default_factory=list)
    install_seconds: float = 0.0

    def labels(self, component: str | None = None) -> dict[str, str]:
        labels = {"app.kubernetes.io/name": CHART_NAME, "app.kubernetes.io/instance": self.name}
        if component:
            labels["app.kubernetes.io/component"] = component
        return labels

    def selector(self, component: str | None = None) -> str:
        return ",".join(f"{key}={value}" for key, value in self.labels(component).items())

    def object_name(self, component: str) -> str:
        # The chart's fullname is the release name when it contains the chart name.
        base = self.name if CHART_NAME in self.name else f"{self.name}-{CHART_NAME}"
        return f"{base}-{component}"

    def service_url(self, component: str) -> str:
        return f"http://{self.object_name(component)}:{catalog.component(component).port}"

    def pods(self, component: str | None = None) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = self.kubectl.json("get", "pods", "-l", self.selector(component))[
            "items"
        ]
        return items

    def upgrade(self, *extra: str, timeout: str = "5m") -> float:
        """helm upgrade with the install's arguments plus EXTRA; returns the seconds it took (pods ready)."""
        started = time.monotonic()
        # Helm 4 applies server-side: once an HPA has scaled a Deployment, kube-controller-manager owns its
        # spec.replicas, and an upgrade that sets replicas again (autoscaling off) conflicts unless forced.
        self.helm(
            "upgrade", self.name, *self.base_args, *extra, "--force-conflicts", "--wait", "--timeout", timeout
        )
        return time.monotonic() - started


def is_ready(pod: dict[str, Any]) -> bool:
    if pod["metadata"].get("deletionTimestamp"):
        return False
    conditions = pod.get("status", {}).get("conditions", [])
    return any(c["type"] == "Ready" and c["status"] == "True" for c in conditions)


def serving_pods(pods: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Pods of Deployments/StatefulSets (not finished Jobs or test pods)."""
    return [p for p in pods if p.get("status", {}).get("phase") not in ("Succeeded", "Failed")]


def wait_until(what: str, predicate: Any, timeout: float, interval: float = 1.0) -> float:
    """Poll PREDICATE until it returns true; returns the seconds it took."""
    started = time.monotonic()
    while True:
        if predicate():
            return time.monotonic() - started
        if time.monotonic() - started > timeout:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(interval)
