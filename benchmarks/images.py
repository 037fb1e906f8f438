"""Container image figures: image size, what each image adds on top of its base, build time cold and warm
after a one-line code change (and whether the dependency layers were reused), and time from `docker run`
to ready under the chart's limits, with the hardening the chart uses.

    uv run python -m benchmarks.images [--repeat N] [--skip-builds]

Builds run `docker build` with each component's recipe and catalog build args (as the Dagger module does) on
a copy of the build context (the one-line change never touches the working tree), tagged `bench`. Base
images: PYTHON_IMAGE / NODE_IMAGE from the environment, else the recipes' defaults
(airgap/offline-base-images where no registry is reachable); PostgreSQL from
POSTGRES_IMAGE. "Cold" is `--no-cache`: every layer is rebuilt, but BuildKit's download cache mounts (uv,
npm) stay warm, so it measures build work rather than network speed.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from todo_testing.catalog import REPO_ROOT, component, components
from todo_testing.docker import DOCKER, Container, base_image, dockerfile, inspect, size_above_base

from tests.containers.limits import Limits, chart_limits
from tests.containers.stack import START_ORDER, ContainerStack, StackImages
from tests.containers.targets import MAX_BYTES_ABOVE_BASE, MAX_SECONDS_TO_READY

TAG = "bench"
SERVICES = [c.name for c in components()]
# The file a one-line change goes into, and the build step whose cache hit proves the deps were reused.
CHANGED_FILE = {
    c.name: f"services/{c.name}/src/{c.package}/__init__.py"
    if c.python
    else f"services/{c.name}/app/layout.tsx"
    for c in components()
}
DEPENDENCY_STEP = {c.name: "uv sync" if c.python else "npm ci" for c in components()}
CONTEXT_IGNORE = shutil.ignore_patterns(".venv", "node_modules", ".next", "__pycache__", "tests", "e2e")


@dataclass
class BuildTimes:
    cold: float
    warm_unchanged: float
    warm_code_change: float
    deps_reused: bool


def copy_context(target: Path) -> None:
    for name in ("pyproject.toml", "uv.lock", ".dockerignore"):
        shutil.copy2(REPO_ROOT / name, target / name)
    for directory in ("libs", "services"):
        shutil.copytree(REPO_ROOT / directory, target / directory, ignore=CONTEXT_IGNORE)


def build(context: Path, service: str, *extra: str) -> tuple[float, str]:
    spec = component(service)
    base_arg = "PYTHON_IMAGE" if spec.python else "NODE_IMAGE"
    args = {**spec.build_args(), "VERSION": "bench", "REVISION": "bench"}
    if os.environ.get(base_arg):
        args[base_arg] = os.environ[base_arg]
    recipe = context / dockerfile(service).relative_to(REPO_ROOT)
    start = time.monotonic()
    result = subprocess.run(
        [DOCKER, "build", "--progress=plain", "-f", str(recipe), "-t", spec.image_ref(TAG), *extra,
         *(arg for name, value in args.items() for arg in ("--build-arg", f"{name}={value}")), str(context)],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "DOCKER_BUILDKIT": "1"},
    )  # fmt: skip
    elapsed = time.monotonic() - start
    if result.returncode != 0:
        raise RuntimeError(f"building {service} failed:\n{result.stderr[-4000:]}")
    return elapsed, result.stderr


def step_was_cached(log: str, command: str) -> bool:
    """In BuildKit's plain progress log, was the step running `command` a cache hit?"""
    for number, header in re.findall(r"^(#\d+) \[[^\]]+\] RUN (.*)$", log, flags=re.M):
        if command in header:
            return re.search(rf"^{number} CACHED$", log, flags=re.M) is not None
    raise ValueError(f"no build step runs {command!r}")


def measure_builds(services: list[str]) -> dict[str, BuildTimes]:
    results = {}
    with tempfile.TemporaryDirectory(prefix="bench-images-") as tmp:
        context = Path(tmp)
        copy_context(context)
        for service in services:
            cold, _ = build(context, service, "--no-cache")
            warm, _ = build(context, service)
            changed = context / CHANGED_FILE[service]
            with changed.open("a") as file:
                file.write(
                    f"// benchmark change {time.time_ns()}\n" if service == "frontend" else "# changed\n"
                )
            warm_change, log = build(context, service)
            reused = step_was_cached(log, DEPENDENCY_STEP[service])
            results[service] = BuildTimes(cold, warm, warm_change, reused)
    return results


@dataclass
class Starts:
    ready_seconds: list[float]
    cpu_seconds: list[float]


def cpu_seconds_used(container: Container) -> float:
    """CPU time the container has used so far, from its own cgroup (v1 cpuacct or v2 cpu.stat)."""
    probe = container.exec(
        "sh",
        "-c",
        "cat /sys/fs/cgroup/cpuacct/cpuacct.usage 2>/dev/null || grep ^usage_usec /sys/fs/cgroup/cpu.stat",
    )
    text = probe.stdout.strip()
    if text.startswith("usage_usec"):
        return int(text.split()[1]) / 1e6
    return int(text) / 1e9


def measure_starts(repeat: int) -> tuple[dict[str, Starts], dict[str, Limits]]:
    limits = chart_limits()
    stack = ContainerStack(
        images=StackImages(tag=TAG, postgres=os.environ.get("POSTGRES_IMAGE", "postgres:15-bookworm")),
        limits=limits,
    )
    cpu: dict[str, list[float]] = {service: [] for service in START_ORDER}
    try:
        stack.start()
        for service in START_ORDER:
            cpu[service].append(cpu_seconds_used(stack.services[service]))
        for _ in range(repeat - 1):
            for service in START_ORDER:
                cpu[service].append(cpu_seconds_used(stack.start_service(service)))
        return {s: Starts(stack.ready_seconds[s], cpu[s]) for s in START_ORDER}, limits
    finally:
        stack.close()


def verdict(ok: bool) -> str:
    return "ok" if ok else "OVER TARGET"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=3, help="starts per service for the ready time")
    parser.add_argument("--skip-builds", action="store_true", help="measure the existing :bench images only")
    args = parser.parse_args()
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")

    if not args.skip_builds:
        builds = measure_builds(SERVICES)
        print(
            "build time (s)   cold (--no-cache)   warm, unchanged   warm, one-line change   deps layer reused"
        )
        for service, times in builds.items():
            print(
                f"{service:<16} {times.cold:>17.1f} {times.warm_unchanged:>17.1f} "
                f"{times.warm_code_change:>23.1f}   {'yes' if times.deps_reused else 'NO'}"
            )
        print()

    print("image                  size (MB)   above base (MB)   target (MB)")
    for service in SERVICES:
        image = f"todo-{service}:{TAG}"
        size = int(inspect(image)["Size"])
        added = size_above_base(image, base_image(service))
        max_bytes = MAX_BYTES_ABOVE_BASE[service]
        print(
            f"{image:<22} {size / 1e6:>9.1f} {added / 1e6:>17.1f} {max_bytes / 1e6:>13.0f}   "
            f"{verdict(added <= max_bytes)}"
        )
    print()

    starts, limits = measure_starts(args.repeat)
    print("docker run → ready (s)   median   max   target   (every start: hardened, chart limits)")
    for service, measured in starts.items():
        median, target = statistics.median(measured.ready_seconds), MAX_SECONDS_TO_READY[service]
        print(
            f"{service:<24} {median:>6.2f} {max(measured.ready_seconds):>5.2f} {target:>8.1f}   "
            f"{verdict(median <= target)}   "
            f"({' '.join(f'{s:.2f}' for s in measured.ready_seconds)})"
        )
    print()
    # Independent of how busy the machine is: the CPU work a start takes, and the shortest time to ready
    # that the chart's CPU limit allows for it.
    print("CPU to ready (CPU-s)     median   chart CPU limit   lower bound on time to ready (s)")
    for service, measured in starts.items():
        median = statistics.median(measured.cpu_seconds)
        limit = limits[service].cpus
        print(f"{service:<24} {median:>6.2f} {limit:>17g} {median / limit:>34.2f}")


if __name__ == "__main__":
    main()
