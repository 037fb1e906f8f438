"""The four services the pipeline builds and deploys, as fixed by docs/architecture.md."""

from dataclasses import dataclass
from typing import Final, Literal

BaseImageArg = Literal["PYTHON_IMAGE", "NODE_IMAGE"]


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    """Name on the command line (`build --service <name>`) and directory under services/."""
    image: str
    """Image repository, without registry or tag (the chart's `<valuesKey>.image.repository`)."""
    values_key: str
    """Key of the component in charts/todo/values.yaml."""
    port: int
    base_image_arg: BaseImageArg
    """Build arg that overrides the base image."""

    @property
    def dockerfile(self) -> str:
        """Path from the repository root, which is the build context."""
        return f"services/{self.name}/Dockerfile"


SERVICES: Final = (
    ServiceSpec("frontend", "todo-frontend", "frontend", 3000, "NODE_IMAGE"),
    ServiceSpec("backend", "todo-backend", "backend", 8000, "PYTHON_IMAGE"),
    ServiceSpec("mcp-server", "todo-mcp-server", "mcpServer", 8001, "PYTHON_IMAGE"),
    ServiceSpec("agent", "todo-agent", "agent", 8002, "PYTHON_IMAGE"),
)
SERVICE_NAMES: Final = tuple(s.name for s in SERVICES)
FRONTEND: Final = SERVICES[0]


def service(name: str) -> ServiceSpec:
    """The service called `name`, or a ValueError that lists the valid names."""
    for spec in SERVICES:
        if spec.name == name:
            return spec
    msg = f"unknown service {name!r}: expected one of {', '.join(SERVICE_NAMES)}"
    raise ValueError(msg)
