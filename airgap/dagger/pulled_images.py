"""Prints, for every image the Dagger module pulls, `KIND PATH` lines: the stand-in KIND that serves it and
its PATH in the registry mirror (what `--image-mirror` asks for; Docker Hub's images also as the engine's own
docker.io mirror asks for them). The references come from the module's versions.py and ci/pyproject.toml."""

import importlib.util
import sys
import tomllib
from pathlib import Path
from types import ModuleType

REPO = Path(__file__).resolve().parents[2]
MODULE = REPO / "ci" / "src" / "todo"

# versions.py name -> the stand-in that serves it (K3S_IMAGE has none: no k3s can be had here).
KINDS = {
    "PYTHON_BASE_IMAGE": "python",
    "NODE_BASE_IMAGE": "node",
    "PYTHON_TOOLCHAIN_IMAGE": "python",
    "NODE_TOOLCHAIN_IMAGE": "node",
    "POSTGRES_IMAGE": "postgres",
    "TRIVY_IMAGE": "trivy",
    "HELM_IMAGE": "helm",
    "KUBECTL_IMAGE": "kubectl",
    "KUBECONFORM_IMAGE": "kubeconform",
    "REGISTRY_IMAGE": "registry",
    "SKOPEO_IMAGE": "skopeo",
    "DOCKER_CLI_IMAGE": "docker-cli",
    "DIND_IMAGE": "docker-dind",
}


def load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, MODULE / f"{name}.py")
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot load {MODULE / name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> None:
    versions, references = load("versions"), load("references")
    runtime = tomllib.loads((REPO / "ci" / "pyproject.toml").read_text())["tool"]["dagger"]["base-image"]
    pulled = [(kind, getattr(versions, name)) for name, kind in KINDS.items()] + [("python", runtime)]
    lines = set()
    for kind, ref in pulled:
        host, repository, tag = references.split(ref)
        lines.add(f"{kind} {host}/{repository}:{tag}")
        if host == references.DOCKER_HUB:
            lines.add(f"{kind} {repository}:{tag}")
    sys.stdout.write("".join(f"{line}\n" for line in sorted(lines)))


if __name__ == "__main__":
    main()
