"""Checks that the images the Dagger module built (`dagger call image-tarballs`, OCI tarballs) keep the same
contract as the images built with Docker from the same Dockerfiles: user, exposed ports, entrypoint, command,
working directory. Prints one line per image; exits non-zero on any difference.

    python -m tests.containers.oci_contract DIR TAG DOCKER_TAG
"""

from __future__ import annotations

import json
import sys
import tarfile
from pathlib import Path
from typing import Any

from todo_testing.catalog import components
from todo_testing.docker import inspect

CONTRACT = ("User", "ExposedPorts", "Entrypoint", "Cmd", "WorkingDir")


def oci_config(tarball: Path) -> dict[str, Any]:
    """The image configuration's `config` of a single-image OCI archive."""
    with tarfile.open(tarball) as archive:

        def blob(digest: str) -> dict[str, Any]:
            member = archive.extractfile(f"blobs/{digest.replace(':', '/')}")
            assert member is not None, f"{tarball}: blob {digest} missing"
            loaded: dict[str, Any] = json.load(member)
            return loaded

        index_file = archive.extractfile("index.json")
        assert index_file is not None, f"{tarball}: no index.json"
        manifest = blob(json.load(index_file)["manifests"][0]["digest"])
        config: dict[str, Any] = blob(manifest["config"]["digest"])["config"]
        return config


def contract(config: dict[str, Any]) -> dict[str, Any]:
    return {key: config.get(key) or None for key in CONTRACT}


def main(directory: Path, tag: str, docker_tag: str) -> int:
    failed = 0
    for component in components():
        name = component.image_ref(tag)
        built = contract(oci_config(directory / f"{name.replace(':', '_')}.tar"))
        reference = contract(inspect(component.image_ref(docker_tag))["Config"])
        same = built == reference
        failed += not same
        verdict = "same contract as" if same else "DIFFERS from"
        print(f"{name}: {verdict} {component.image_ref(docker_tag)} {built}")
        if not same:
            print(f"  docker-built: {reference}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), sys.argv[2], sys.argv[3]))
