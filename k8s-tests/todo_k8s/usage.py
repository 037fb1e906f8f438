"""CPU and memory of each container, sampled from the metrics API (metrics.k8s.io) while a load runs, and
compared with the requests and limits the release gives it."""

from __future__ import annotations

import json
import re
import statistics
import threading
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from todo_k8s.commands import CommandError, Kubectl

COMPONENT_LABEL = "app.kubernetes.io/component"
_CPU_UNITS = {"n": 1e-9, "u": 1e-6, "m": 1e-3, "": 1.0}
_MEMORY_UNITS = {"": 1, "k": 10**3, "M": 10**6, "G": 10**9, "Ki": 2**10, "Mi": 2**20, "Gi": 2**30}


def cpu_cores(quantity: str) -> float:
    match = re.fullmatch(r"([0-9.]+)([num]?)", quantity)
    if not match:
        raise ValueError(f"not a CPU quantity: {quantity!r}")
    return float(match[1]) * _CPU_UNITS[match[2]]


def memory_bytes(quantity: str) -> int:
    match = re.fullmatch(r"([0-9]+)(Ki|Mi|Gi|k|M|G)?", quantity)
    if not match:
        raise ValueError(f"not a memory quantity: {quantity!r}")
    return int(match[1]) * _MEMORY_UNITS[match[2] or ""]


def metrics_api_available(kubectl: Kubectl) -> bool:
    try:
        kubectl("get", "--raw", "/apis/metrics.k8s.io/v1beta1/nodes", timeout=15)
    except CommandError:
        return False
    return True


# (component, container) -> [(CPU cores, memory bytes), ...], per namespace: every load phase of the session.
_RECORDED: dict[str, dict[tuple[str, str], list[tuple[float, int]]]] = defaultdict(lambda: defaultdict(list))


def recorded(namespace: str) -> dict[tuple[str, str], list[tuple[float, int]]]:
    return _RECORDED[namespace]


class Sampler:
    """Reads the metrics API for one namespace every INTERVAL seconds between start() and stop(). Without a
    metrics API (or while it answers nothing) it records nothing: the headroom test asks for one."""

    def __init__(self, kubectl: Kubectl, namespace: str, interval: float = 5.0) -> None:
        self.kubectl = kubectl
        self.namespace = namespace
        self.interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name=f"usage-{self.namespace}", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample()

    def sample(self) -> None:
        path = f"/apis/metrics.k8s.io/v1beta1/namespaces/{self.namespace}/pods"
        try:
            pods = json.loads(self.kubectl("get", "--raw", path, timeout=15))["items"]
        except (CommandError, ValueError, KeyError):
            return  # metrics not there yet, or a pod was just replaced: the next reading counts
        for pod in pods:
            component = (pod["metadata"].get("labels") or {}).get(COMPONENT_LABEL)
            if component is None:
                continue
            for container in pod.get("containers", []):
                usage = container["usage"]
                _RECORDED[self.namespace][(component, container["name"])].append(
                    (cpu_cores(usage["cpu"]), memory_bytes(usage["memory"]))
                )


@dataclass(frozen=True)
class Headroom:
    component: str
    container: str
    samples: int
    peak_cpu: float
    peak_memory: int
    typical_cpu: float
    typical_memory: int
    request_cpu: float
    request_memory: int
    limit_cpu: float
    limit_memory: int

    @property
    def cpu_share(self) -> float:
        return self.peak_cpu / self.limit_cpu

    @property
    def memory_share(self) -> float:
        return self.peak_memory / self.limit_memory

    def line(self) -> str:
        mib = 2**20
        return (
            f"{self.component}/{self.container}: {self.samples} samples; "
            f"CPU peak {self.peak_cpu * 1000:.0f}m = {self.cpu_share:.0%} of limit "
            f"{self.limit_cpu * 1000:.0f}m, "
            f"typical {self.typical_cpu * 1000:.0f}m (request {self.request_cpu * 1000:.0f}m); "
            f"memory peak {self.peak_memory / mib:.0f}Mi = {self.memory_share:.0%} of limit "
            f"{self.limit_memory / mib:.0f}Mi, typical {self.typical_memory / mib:.0f}Mi "
            f"(request {self.request_memory / mib:.0f}Mi)"
        )


def workload_resources(kubectl: Kubectl, selector: str) -> dict[tuple[str, str], dict[str, Any]]:
    """(component, container) -> resources, from the release's Deployments and StatefulSets."""
    result: dict[tuple[str, str], dict[str, Any]] = {}
    for workload in kubectl.json("get", "deployments,statefulsets", "-l", selector)["items"]:
        component = workload["metadata"]["labels"][COMPONENT_LABEL]
        for container in workload["spec"]["template"]["spec"]["containers"]:
            result[(component, container["name"])] = container["resources"]
    return result


def headroom(kubectl: Kubectl, namespace: str, selector: str) -> list[Headroom]:
    """Peak and median use of every container of the release's workloads over all recorded load phases."""
    rows = []
    samples = recorded(namespace)
    for (component, container), resources in sorted(workload_resources(kubectl, selector).items()):
        readings = samples.get((component, container), [])
        if not readings:
            continue
        cpu = [reading[0] for reading in readings]
        memory = [reading[1] for reading in readings]
        rows.append(
            Headroom(
                component=component,
                container=container,
                samples=len(readings),
                peak_cpu=max(cpu),
                peak_memory=max(memory),
                typical_cpu=statistics.median(cpu),
                typical_memory=int(statistics.median(memory)),
                request_cpu=cpu_cores(str(resources["requests"]["cpu"])),
                request_memory=memory_bytes(str(resources["requests"]["memory"])),
                limit_cpu=cpu_cores(str(resources["limits"]["cpu"])),
                limit_memory=memory_bytes(str(resources["limits"]["memory"])),
            )
        )
    return rows
