"""The component catalog, charts/todo/components.yaml (its header describes the fields), as typed objects.

`components()` lists them in dependency order: each after the components it calls, which is the order the
services start in and their migrations run in.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

CATALOG = Path("charts") / "todo" / "components.yaml"


class CatalogError(RuntimeError):
    """components.yaml is missing or does not say what the tests need."""


def _find_repo_root() -> Path:
    """The checkout this package was installed from (editable), else the working directory's."""
    for start in (Path(__file__).resolve(), Path.cwd().resolve()):
        for directory in (start, *start.parents):
            if (directory / CATALOG).is_file():
                return directory
    raise CatalogError(f"{CATALOG} not found above {Path(__file__).parent} or {Path.cwd()}")


REPO_ROOT = _find_repo_root()


@dataclass(frozen=True)
class Call:
    """A flow to another component: the URL of `component` plus `path`, given in the variable `env`."""

    component: str
    env: str
    path: str


@dataclass(frozen=True)
class Health:
    liveness: str
    readiness: str
    metrics: str


@dataclass(frozen=True)
class Component:
    name: str
    values_key: str
    image: str
    description: str
    port: int
    runtime: str
    health: Health
    calls: tuple[Call, ...]
    database: bool
    secret_keys: tuple[str, ...]
    optional_secret_keys: tuple[str, ...]
    package: str | None = None
    migrations: str | None = None

    @property
    def python(self) -> bool:
        return self.runtime == "python"

    def image_ref(self, tag: str) -> str:
        return f"{self.image}:{tag}"

    def build_args(self) -> dict[str, str]:
        """What services/python.Dockerfile is told about a Python component (as the Dagger module says it)."""
        if not self.python:
            return {}
        return {
            "SERVICE": self.name,
            "PROJECT": self.image,
            "PACKAGE": self.package or "",
            "PORT": str(self.port),
            "DESCRIPTION": self.description,
        }

    def wiring(self, base_url: Mapping[str, str]) -> dict[str, str]:
        """The environment variables that point this component at those it calls, given each one's base
        URL by name (e.g. {"mcp-server": "http://127.0.0.1:40123"})."""
        return {call.env: base_url[call.component] + call.path for call in self.calls}


def _text(entry: dict[str, Any], key: str, where: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or (not value and key != "path"):
        raise CatalogError(f"{where}: {key!r} must be a non-empty string, not {value!r}")
    return value


def _strings(entry: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = entry.get(key)
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise CatalogError(f"{where}: {key!r} must be a list of strings, not {value!r}")
    return tuple(value)


def _component(entry: object, index: int) -> Component:
    if not isinstance(entry, dict):
        raise CatalogError(f"{CATALOG}: component {index} is not a mapping")
    where = f"{CATALOG}: component {entry.get('name', index)!r}"
    health, calls, port = entry.get("health"), entry.get("calls"), entry.get("port")
    if not isinstance(health, dict):
        raise CatalogError(f"{where}: 'health' must be a mapping")
    if not isinstance(calls, list) or not all(isinstance(call, dict) for call in calls):
        raise CatalogError(f"{where}: 'calls' must be a list of mappings")
    if not isinstance(port, int) or isinstance(port, bool) or not 0 < port < 65536:
        raise CatalogError(f"{where}: 'port' must be a port number, not {port!r}")
    if not isinstance(entry.get("database"), bool):
        raise CatalogError(f"{where}: 'database' must be true or false")
    runtime = _text(entry, "runtime", where)
    if runtime not in ("python", "node"):
        raise CatalogError(f"{where}: 'runtime' must be python or node, not {runtime!r}")
    return Component(
        name=_text(entry, "name", where),
        values_key=_text(entry, "valuesKey", where),
        image=_text(entry, "image", where),
        description=_text(entry, "description", where),
        port=port,
        runtime=runtime,
        package=_text(entry, "package", where) if runtime == "python" else None,
        migrations=_text(entry, "migrations", where) if "migrations" in entry else None,
        health=Health(*(_text(health, key, where) for key in ("liveness", "readiness", "metrics"))),
        calls=tuple(
            Call(*(_text(call, key, where) for key in ("component", "env", "path"))) for call in calls
        ),
        database=entry["database"],
        secret_keys=_strings(entry, "secretKeys", where),
        optional_secret_keys=_strings(entry, "optionalSecretKeys", where),
    )


def load(path: Path) -> tuple[Component, ...]:
    """Read and check a catalog file; raises CatalogError saying what is wrong."""
    try:
        document = yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError) as exc:
        raise CatalogError(f"cannot read the component catalog {path}: {exc}") from exc
    entries = document.get("components") if isinstance(document, dict) else None
    if not isinstance(entries, list) or not entries:
        raise CatalogError(f"{path}: expected a non-empty list under 'components'")
    loaded = tuple(_component(entry, index) for index, entry in enumerate(entries))
    seen: set[str] = set()
    for component in loaded:
        if component.name in seen:
            raise CatalogError(f"{path}: component {component.name!r} is listed twice")
        unknown = [call.component for call in component.calls if call.component not in seen]
        if unknown:
            raise CatalogError(f"{path}: {component.name!r} calls {unknown}, which must be listed before it")
        seen.add(component.name)
    return loaded


@functools.cache
def components() -> tuple[Component, ...]:
    """The repository's components, in dependency order."""
    return load(REPO_ROOT / CATALOG)


def component(name: str) -> Component:
    for candidate in components():
        if candidate.name == name:
            return candidate
    raise KeyError(f"no component {name!r} in {CATALOG}")


def python_components() -> tuple[Component, ...]:
    return tuple(c for c in components() if c.python)


def migrations() -> tuple[str, ...]:
    """The schema owners' migration modules, in the order they run."""
    return tuple(c.migrations for c in components() if c.migrations)
