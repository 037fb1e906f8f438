"""The Dockerfiles themselves: lint-clean (hadolint), no HIGH/CRITICAL misconfiguration (Trivy), the Python
recipe refusing to build without its build args, and each component of the catalog
(charts/todo/components.yaml) built with that component's facts, as docs/architecture.md lists them."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from todo_testing.catalog import REPO_ROOT, Component, components
from todo_testing.docker import DOCKER, base_image, dockerfile, inspect

from .stack import StackImages

DOCKERFILES = sorted({dockerfile(c.name) for c in components()})
PYTHON_RECIPE = REPO_ROOT / "services" / "python.Dockerfile"
RECIPE_ARGS = {"SERVICE": "backend", "PROJECT": "todo-backend", "PACKAGE": "todo_backend", "PORT": "8000"}


def venv_tool(name: str) -> str:
    """A tool installed in the project's venv (next to this interpreter), else on PATH."""
    candidate = Path(sys.executable).parent / name
    found = str(candidate) if candidate.exists() else shutil.which(name)
    assert found, f"{name} is not installed (uv sync --all-groups)"
    return found


def relative(path: Path) -> str:
    return str(path.relative_to(REPO_ROOT))


@pytest.mark.parametrize("path", DOCKERFILES, ids=relative)
def test_hadolint_clean(path: Path) -> None:
    result = subprocess.run([venv_tool("hadolint"), str(path)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("path", DOCKERFILES, ids=relative)
def test_trivy_finds_no_high_or_critical_misconfiguration(path: Path) -> None:
    result = subprocess.run(
        [venv_tool("trivy"), "config", "--skip-check-update", "--quiet", "--format", "json",
         "--severity", "HIGH,CRITICAL", str(path)],
        capture_output=True, text=True, check=True, timeout=300,
    )  # fmt: skip
    report = json.loads(result.stdout)
    scanned = [r for r in report.get("Results", []) if r["Type"] == "dockerfile"]
    assert scanned, "trivy did not scan the Dockerfile"
    findings = [m["ID"] + " " + m["Title"] for r in scanned for m in r.get("Misconfigurations") or []]
    assert findings == []


@pytest.mark.parametrize("missing", list(RECIPE_ARGS))
def test_python_recipe_requires_its_build_args(missing: str) -> None:
    """Without one of them the build stops with a message naming it, instead of building the wrong thing."""
    given = {**RECIPE_ARGS, "PYTHON_IMAGE": base_image("backend")}
    del given[missing]
    build_args = [arg for name, value in given.items() for arg in ("--build-arg", f"{name}={value}")]
    result = subprocess.run(
        [DOCKER, "build", "--progress=plain", "--target", "deps", "-f", str(PYTHON_RECIPE), *build_args, "."],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=600, check=False,
        env={**os.environ, "DOCKER_BUILDKIT": "1"},
    )  # fmt: skip
    assert result.returncode != 0
    assert f"build arg {missing} is required" in result.stderr


@pytest.mark.parametrize("component", components(), ids=lambda c: c.name)
def test_images_carry_their_catalog_entry(images: StackImages, component: Component) -> None:
    """Each component of the catalog is built with its own name, port, package and wording."""
    config = inspect(images.of(component.name))["Config"]
    env = dict(item.split("=", 1) for item in config["Env"])
    assert config["Labels"]["org.opencontainers.image.title"] == component.image
    assert config["Labels"]["org.opencontainers.image.description"] == component.description
    assert f"{component.port}/tcp" in config["ExposedPorts"]
    assert env["PORT"] == str(component.port)
    assert env.get("APP_PACKAGE") == component.package


def test_architecture_lists_each_image_with_its_dockerfile() -> None:
    architecture = (REPO_ROOT / "docs" / "architecture.md").read_text()
    documented = re.findall(
        r"^\| (todo-[\w-]+) \| `(services/[\w./-]+)` \| repository root \|", architecture, re.M
    )
    built = [(c.image, relative(dockerfile(c.name))) for c in components()]
    assert {c.name: c.python for c in components()} == {
        c.name: dockerfile(c.name) == PYTHON_RECIPE for c in components()
    }
    assert sorted(documented) == sorted(built)
