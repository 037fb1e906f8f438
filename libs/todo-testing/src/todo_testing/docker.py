"""A small typed layer over the Docker CLI (`/usr/bin/docker`, or $DOCKER): what the container tests, the
chart's pod tests and the image benchmark need, and nothing more."""

from __future__ import annotations

import json
import os
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .catalog import REPO_ROOT, component
from .probe import http_status

DOCKER = os.environ.get("DOCKER", "/usr/bin/docker")
# Where the tests reach published ports: this machine's loopback, or the Docker engine's own address when the
# engine runs elsewhere (e.g. `docker`, the docker:dind service of the Dagger module's container suite).
PUBLISHED_ADDRESS = os.environ.get("CONTAINER_TESTS_ADDRESS", "127.0.0.1")
LOCAL_ENGINE = PUBLISHED_ADDRESS == "127.0.0.1"


class DockerError(RuntimeError):
    pass


def docker(*args: str, timeout: float = 120.0, check: bool = True, env: dict[str, str] | None = None) -> str:
    """Run one docker command; return its stdout, raise DockerError (with stderr) when it fails.

    `env` holds values for `--env NAME` arguments, so secrets never appear on a command line."""
    result = subprocess.run(
        [DOCKER, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "DOCKER_BUILDKIT": "1", **(env or {})},
        check=False,
    )
    if check and result.returncode != 0:
        output = f"{result.stdout.strip()[-3000:]}\n{result.stderr.strip()}".strip()
        raise DockerError(f"docker {' '.join(args[:2])} failed ({result.returncode}): {output}")
    return result.stdout.strip()


def available() -> bool:
    """True when the Docker CLI is installed and its engine answers."""
    try:
        return subprocess.run([DOCKER, "info"], capture_output=True, check=False, timeout=30).returncode == 0
    except OSError:
        return False


def inspect(name: str) -> dict[str, Any]:
    data: list[dict[str, Any]] = json.loads(docker("inspect", name))
    return data[0]


def image_present(image: str) -> bool:
    inspected = subprocess.run(
        [DOCKER, "image", "inspect", image], capture_output=True, check=False, timeout=30
    )
    return inspected.returncode == 0


def build_images(tag: str, services: list[str] | None = None) -> None:
    """Build through scripts/build-images, the one build entry point (PYTHON_IMAGE/NODE_IMAGE from env)."""
    command = [str(REPO_ROOT / "scripts" / "build-images"), "--tag", tag, *(services or [])]
    result = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=3600, check=False)
    if result.returncode != 0:
        hint = ""
        if not (os.environ.get("PYTHON_IMAGE") and os.environ.get("NODE_IMAGE")):
            hint = (
                "\nNo registry reachable? Build local base images and export them first:\n"
                "  export $(airgap/offline-base-images --ca-bundle /etc/ssl/certs/ca-certificates.crt)\n"
                "(docs/offline-builds.md)"
            )
        raise DockerError(f"scripts/build-images failed:\n{result.stderr[-6000:]}{hint}")


@dataclass
class Container:
    """A named container; `run()` starts it detached, `url` is its published address."""

    name: str
    image: str
    args: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    command: list[str] = field(default_factory=list)
    container_port: int | None = None
    started_at: float = 0.0

    def run(self) -> None:
        # A remote engine publishes on all its interfaces: they are the address the tests reach it at.
        interface = "127.0.0.1" if LOCAL_ENGINE else "0.0.0.0"  # noqa: S104
        publish = ["--publish", f"{interface}::{self.container_port}"] if self.container_port else []
        env_args = [arg for name in self.env for arg in ("--env", name)]
        self.started_at = time.monotonic()
        docker(
            "run",
            "--detach",
            "--name",
            self.name,
            *publish,
            *env_args,
            *self.args,
            self.image,
            *self.command,
            env=self.env,
        )

    @property
    def url(self) -> str:
        # docker picks a free ephemeral host port, re-read after every start.
        address = docker("port", self.name, f"{self.container_port}/tcp").splitlines()[0]
        return f"http://{PUBLISHED_ADDRESS}:{address.rpartition(':')[2]}"

    def state(self) -> dict[str, Any]:
        state: dict[str, Any] = inspect(self.name)["State"]
        return state

    def logs(self) -> str:
        result = subprocess.run(
            [DOCKER, "logs", "--tail", "200", self.name], capture_output=True, text=True, check=False
        )
        return result.stdout + result.stderr

    def exec(self, *command: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [DOCKER, "exec", self.name, *command], capture_output=True, text=True, timeout=30, check=False
        )

    def wait_http(self, path: str, timeout: float = 60.0, expect: int = 200) -> float:
        """Poll `path` until it answers `expect`; return the seconds since `docker run` was called.
        Fails fast when the container exits."""
        start = self.started_at or time.monotonic()
        while True:
            state = self.state()
            if not state["Running"]:
                raise DockerError(f"{self.name} exited ({state['ExitCode']}):\n{self.logs()}")
            if http_status(self.url + path, timeout=1.0) == expect:
                return time.monotonic() - start
            if time.monotonic() - start > timeout:
                raise DockerError(
                    f"{self.name}: {path} did not answer {expect} in {timeout}s:\n{self.logs()}"
                )
            time.sleep(0.05)

    def wait_exit(self, timeout: float = 120.0) -> int:
        return int(docker("wait", self.name, timeout=timeout))

    def remove(self) -> None:
        docker("rm", "--force", "--volumes", self.name, check=False)


def dockerfile(service: str) -> Path:
    """The recipe the service's image is built from: the Python services share services/python.Dockerfile."""
    recipe = "python.Dockerfile" if component(service).python else f"{service}/Dockerfile"
    return REPO_ROOT / "services" / recipe


def base_image(service: str) -> str:
    """The base image the service was built on: PYTHON_IMAGE / NODE_IMAGE, else the Dockerfile's default."""
    variable = "PYTHON_IMAGE" if component(service).python else "NODE_IMAGE"
    if os.environ.get(variable):
        return os.environ[variable]
    prefix = f"ARG {variable}="
    lines = dockerfile(service).read_text().splitlines()
    return next(line[len(prefix) :] for line in lines if line.startswith(prefix))


def size_above_base(image: str, base: str) -> int:
    """Bytes the image adds on top of its base (after checking the base's layers really are its prefix)."""
    image_info, base_info = inspect(image), inspect(base)
    base_layers = base_info["RootFS"]["Layers"]
    if image_info["RootFS"]["Layers"][: len(base_layers)] != base_layers:
        raise DockerError(f"{image} is not built on {base}")
    return int(image_info["Size"]) - int(base_info["Size"])
