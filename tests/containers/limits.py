"""CPU and memory limits for the containers, read from the chart so tests run with the figures the cluster
uses (`charts/todo/values.yaml`, `<component>.resources.limits`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from todo_testing.catalog import REPO_ROOT, components

CHART_VALUES = REPO_ROOT / "charts" / "todo" / "values.yaml"

_MEMORY_UNITS = {
    "": 1,
    "k": 10**3,
    "M": 10**6,
    "G": 10**9,
    "Ki": 2**10,
    "Mi": 2**20,
    "Gi": 2**30,
}


@dataclass(frozen=True)
class Limits:
    cpus: float
    memory_bytes: int

    def docker_args(self) -> list[str]:
        # memory-swap = memory: no swap, as in Kubernetes.
        memory = str(self.memory_bytes)
        return ["--cpus", f"{self.cpus:g}", "--memory", memory, "--memory-swap", memory]


def parse_cpu(value: object) -> float:
    """Kubernetes CPU quantity ("500m", "1", 0.5) → cores."""
    text = str(value).strip()
    match = re.fullmatch(r"(\d+(?:\.\d+)?)(m?)", text)
    if not match:
        raise ValueError(f"not a CPU quantity: {value!r}")
    cores = float(match.group(1)) / (1000 if match.group(2) else 1)
    if cores <= 0:
        raise ValueError(f"CPU limit must be positive: {value!r}")
    return cores


def parse_memory(value: object) -> int:
    """Kubernetes memory quantity ("256Mi", "1G", 268435456) → bytes."""
    text = str(value).strip()
    match = re.fullmatch(r"(\d+)(Ki|Mi|Gi|k|M|G)?", text)
    if not match:
        raise ValueError(f"not a memory quantity: {value!r}")
    size = int(match.group(1)) * _MEMORY_UNITS[match.group(2) or ""]
    if size < 6 * 2**20:
        raise ValueError(f"memory limit below Docker's 6 MiB minimum: {value!r}")
    return size


def chart_limits(values_file: Path = CHART_VALUES) -> dict[str, Limits]:
    """Each service's limits from the chart; a missing key is an error, not a silent default."""
    values: dict[str, Any] = yaml.safe_load(values_file.read_text())
    limits = {}
    for component in components():
        service, key = component.name, component.values_key
        try:
            raw = values[key]["resources"]["limits"]
        except (KeyError, TypeError) as exc:
            raise ValueError(f"{values_file}: {key}.resources.limits is missing") from exc
        limits[service] = Limits(cpus=parse_cpu(raw["cpu"]), memory_bytes=parse_memory(raw["memory"]))
    return limits
