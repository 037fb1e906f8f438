"""What each built image is: its runtime contract (user, entry point, health check, labels, configuration)
and what it carries (exactly the locked dependencies, no build tools, no tests, no secrets)."""

from __future__ import annotations

import json
import subprocess

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from todo_testing.catalog import REPO_ROOT, component, components, python_components
from todo_testing.docker import base_image, docker, inspect, size_above_base

from .stack import HARDENING, StackImages
from .targets import MAX_BYTES_ABOVE_BASE

SERVICES = [c.name for c in components()]
PYTHON_SERVICES = [c.name for c in python_components()]
SECRET_VARIABLES = {"DATABASE_URL", "JWT_SECRET", "INTERNAL_TOKEN", "LLM_API_KEY"}
OCI_LABELS = ["source", "revision", "version", "title", "licenses"]


def run_in_image(image: str, *command: str) -> str:
    """Run a command in a throwaway, hardened container of the image (as the chart runs it)."""
    return docker("run", "--rm", "--network", "none", *HARDENING, image, *command, timeout=60)


@pytest.mark.parametrize("service", SERVICES)
def test_runtime_contract(images: StackImages, service: str) -> None:
    config = inspect(images.of(service))["Config"]
    assert config["User"] == "10001:10001"
    assert not config["Entrypoint"], "the server itself must be PID 1"
    if service == "frontend":
        assert config["Cmd"] == ["node", "server.js"]
    else:
        # One recipe for every Python service: the shell only reads the package and `exec`s Python.
        assert config["Cmd"] == ["sh", "-c", 'exec python -m "$APP_PACKAGE"']
    assert config["Healthcheck"]["Test"][0] == "CMD", "exec-form health check, no shell or curl needed"
    assert f"{component(service).port}/tcp" in config["ExposedPorts"]

    env = dict(item.split("=", 1) for item in config["Env"])
    assert env["PORT"] == str(component(service).port)
    assert env["LOG_FORMAT"] == "json"
    assert env.get("APP_PACKAGE") == component(service).package
    assert not SECRET_VARIABLES & env.keys(), "no secret may have a value baked into the image"

    labels = config["Labels"]
    for label in OCI_LABELS:
        assert f"org.opencontainers.image.{label}" in labels
    assert labels["org.opencontainers.image.title"] == f"todo-{service}"
    assert labels["org.opencontainers.image.revision"] not in {"", "unknown"}


@pytest.mark.parametrize("service", SERVICES)
def test_layers_above_base_are_small(images: StackImages, service: str) -> None:
    added = size_above_base(images.of(service), base_image(service))
    assert added <= MAX_BYTES_ABOVE_BASE[service], f"{service} adds {added / 1e6:.1f} MB on top of its base"


@pytest.mark.parametrize("service", PYTHON_SERVICES)
def test_python_image_carries_only_what_runs(images: StackImages, service: str) -> None:
    probe = """
import importlib, json, pathlib, shutil, sys
package = importlib.import_module(sys.argv[1])
print(json.dumps({
    "package_file": package.__file__,
    "tools": [t for t in ("uv", "gcc", "cc", "make") if shutil.which(t)]
    + [str(p) for p in pathlib.Path("/app").rglob("bin/pip*")],
    "tests": [str(p) for p in pathlib.Path("/app").rglob("tests") if "site-packages" not in str(p)],
    "dotenv": [str(p) for p in pathlib.Path("/app").rglob(".env*")],
    "bytecode": any(pathlib.Path(package.__file__).parent.glob("__pycache__/*.pyc")),
}))
"""
    found = json.loads(
        run_in_image(images.of(service), "python", "-c", probe, str(component(service).package))
    )
    assert found["package_file"].startswith("/app/lib/")
    assert found["tools"] == []
    assert found["tests"] == []
    assert found["dotenv"] == []
    assert found["bytecode"], "bytecode is compiled at build time (the root filesystem is read-only)"


# The image's environment markers (what packaging.markers.default_environment() gives inside it).
MARKER_ENVIRONMENT = """
import json, os, platform, sys
v = sys.implementation.version
print(json.dumps({
    "implementation_name": sys.implementation.name,
    "implementation_version": f"{v.major}.{v.minor}.{v.micro}",
    "os_name": os.name, "platform_machine": platform.machine(), "platform_release": platform.release(),
    "platform_system": platform.system(), "platform_version": platform.version(),
    "platform_python_implementation": platform.python_implementation(),
    "python_full_version": platform.python_version(),
    "python_version": ".".join(platform.python_version_tuple()[:2]), "sys_platform": sys.platform,
}))
"""
INSTALLED = (
    "import importlib.metadata as m, json; print(json.dumps({d.name: d.version for d in m.distributions()}))"
)


@pytest.mark.parametrize("service", PYTHON_SERVICES)
def test_python_image_has_exactly_the_locked_dependencies(images: StackImages, service: str) -> None:
    image = images.of(service)
    environment = json.loads(run_in_image(image, "python", "-c", MARKER_ENVIRONMENT))
    exported = subprocess.run(
        ["uv", "export", "--frozen", "--no-dev", "--no-hashes", "--no-header", "--no-annotate",
         "--no-emit-workspace", "--package", f"todo-{service}"],
        cwd=REPO_ROOT, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    locked = {}
    for line in exported.splitlines():
        if not line.strip() or line.lstrip().startswith("-"):
            continue
        requirement = Requirement(line)
        if requirement.marker is None or requirement.marker.evaluate(environment):
            locked[canonicalize_name(requirement.name)] = str(requirement.specifier).removeprefix("==")
    installed = {
        canonicalize_name(name): version
        for name, version in json.loads(run_in_image(image, "python", "-c", INSTALLED)).items()
    }
    ours = {"todo-common", f"todo-{service}"}
    assert ours <= installed.keys()
    assert {name: version for name, version in installed.items() if name not in ours} == locked


def test_frontend_image_carries_only_what_runs(images: StackImages) -> None:
    probe = """
const fs = require("node:fs"), path = require("node:path");
const walk = (d) => fs.readdirSync(d, { withFileTypes: true }).flatMap((e) =>
  e.isDirectory() ? walk(path.join(d, e.name)) : [path.join(d, e.name)]);
const files = walk("/app");
console.log(JSON.stringify({
  server: fs.existsSync("/app/server.js"),
  assets: files.filter((f) => f.startsWith("/app/.next/static/")).length,
  dotenv: files.filter((f) => path.basename(f).startsWith(".env")),
  sources: files.filter((f) => /\\.(tsx?|mts)$/.test(f) && !f.includes("/node_modules/")),
}));
"""
    found = json.loads(run_in_image(images.of("frontend"), "node", "-e", probe))
    assert found["server"]
    assert found["assets"] > 0, "the browser assets (.next/static) must be in the image"
    assert found["dotenv"] == []
    assert found["sources"] == [], "only the built app ships, not its TypeScript sources"
