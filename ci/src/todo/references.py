"""Image references, and where a mirror serves them (`--image-mirror`).

Kept free of the Dagger SDK and of relative imports: the air-gapped build environment loads this file on its
own to push stand-ins under the same names the module pulls.
"""

import re
from typing import Final

DOCKER_HUB: Final = "docker.io"
# host[:port][/path...], lower case as the OCI distribution spec requires.
_REGISTRY = re.compile(r"[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]{1,5})?(/[a-z0-9]+([._-][a-z0-9]+)*)*")


def validate_registry(registry: str) -> str:
    if not _REGISTRY.fullmatch(registry):
        msg = f"invalid registry {registry!r}: expected host[:port][/namespace], e.g. ghcr.io/acme"
        raise ValueError(msg)
    return registry


def split(ref: str) -> tuple[str, str, str]:
    """(registry host, repository path, tag) of a reference; the digest, if any, is dropped.

    `python:3.11` is ("docker.io", "library/python", "3.11");
    `ghcr.io/a/b:1@sha256:…` is ("ghcr.io", "a/b", "1").
    """
    name = ref.split("@", 1)[0]
    path, _, tag = name.rpartition(":") if ":" in name.rsplit("/", 1)[-1] else (name, "", "latest")
    first, _, rest = path.partition("/")
    if rest and ("." in first or ":" in first or first == "localhost"):
        host, repository = first, rest
    else:
        host, repository = DOCKER_HUB, path if rest else f"library/{path}"
    return host, repository, tag


def mirrored(ref: str, mirror: str) -> str:
    """`ref` as served by `mirror`: <mirror>/<registry host>/<repository>:<tag>, by tag.

    The digest is dropped: a mirror holding rebuilt or re-pushed images (an air-gapped registry) cannot hold
    the upstream manifests. With no mirror, the reference is unchanged (and keeps its digest).
    """
    if not mirror:
        return ref
    host, repository, tag = split(ref)
    return f"{validate_registry(mirror)}/{host}/{repository}:{tag}"
