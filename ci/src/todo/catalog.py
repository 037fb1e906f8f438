"""The services the pipeline builds and deploys: read from the repository's component catalog
(charts/todo/components.yaml), the one place that names them."""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal

import dagger
import yaml

CATALOG_PATH: Final = "charts/todo/components.yaml"
PYTHON_DOCKERFILE: Final = "services/python.Dockerfile"
Runtime = Literal["python", "node"]
BASE_IMAGE_ARGS: Final[dict[Runtime, str]] = {"python": "PYTHON_IMAGE", "node": "NODE_IMAGE"}


class CatalogError(ValueError):
    """components.yaml is missing a fact the pipeline needs, or holds one of the wrong type."""


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    """Name on the command line (`build --service <name>`) and directory under services/."""
    image: str
    """Image repository, without registry or tag; for a Python service also its uv workspace package."""
    values_key: str
    """Key of the component in charts/todo/values.yaml."""
    port: int
    runtime: Runtime
    description: str
    package: str = ""
    """Python: the import package the image runs."""

    @property
    def dockerfile(self) -> str:
        """Path from the repository root, which is the build context."""
        return PYTHON_DOCKERFILE if self.runtime == "python" else f"services/{self.name}/Dockerfile"

    @property
    def base_image_arg(self) -> str:
        """Build arg that overrides the base image."""
        return BASE_IMAGE_ARGS[self.runtime]

    def build_args(self) -> dict[str, str]:
        """What the shared Python recipe needs to know (nothing for a service with its own Dockerfile)."""
        if self.runtime != "python":
            return {}
        return {
            "SERVICE": self.name,
            "PROJECT": self.image,
            "PACKAGE": self.package,
            "PORT": str(self.port),
            "DESCRIPTION": self.description,
        }


@dataclass(frozen=True)
class Catalog:
    services: tuple[ServiceSpec, ...]

    def __iter__(self) -> Iterator[ServiceSpec]:
        return iter(self.services)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.services)

    def service(self, name: str) -> ServiceSpec:
        """The service called `name`, or a ValueError that lists the valid names."""
        for spec in self.services:
            if spec.name == name:
                return spec
        msg = f"unknown service {name!r}: expected one of {', '.join(self.names)}"
        raise ValueError(msg)


def _field(entry: Mapping[str, Any], key: str, kind: type, where: str) -> Any:
    value = entry.get(key)
    if not isinstance(value, kind) or isinstance(value, bool) != (kind is bool):
        msg = f"{CATALOG_PATH}: {where} needs {key!r} ({kind.__name__}), got {value!r}"
        raise CatalogError(msg)
    return value


def _spec(entry: Any, index: int) -> ServiceSpec:
    if not isinstance(entry, Mapping):
        msg = f"{CATALOG_PATH}: components[{index}] is not a mapping"
        raise CatalogError(msg)
    name = _field(entry, "name", str, f"components[{index}]")
    runtime = _field(entry, "runtime", str, name)
    if runtime not in BASE_IMAGE_ARGS:
        msg = f"{CATALOG_PATH}: {name} has runtime {runtime!r}: expected one of {', '.join(BASE_IMAGE_ARGS)}"
        raise CatalogError(msg)
    return ServiceSpec(
        name=name,
        image=_field(entry, "image", str, name),
        values_key=_field(entry, "valuesKey", str, name),
        port=_field(entry, "port", int, name),
        runtime=runtime,
        description=_field(entry, "description", str, name),
        package=_field(entry, "package", str, name) if runtime == "python" else "",
    )


def parse(text: str) -> Catalog:
    loaded = yaml.safe_load(text)
    entries = loaded.get("components") if isinstance(loaded, Mapping) else None
    if not isinstance(entries, list) or not entries:
        msg = f"{CATALOG_PATH}: expected a non-empty list under 'components'"
        raise CatalogError(msg)
    return Catalog(tuple(_spec(entry, i) for i, entry in enumerate(entries)))


async def load(source: dagger.Directory) -> Catalog:
    """The catalog of the repository being built (so the images always match its own Dockerfiles)."""
    return parse(await source.file(CATALOG_PATH).contents())
