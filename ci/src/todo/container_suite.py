"""The container suite (`scripts/test containers`) inside the engine: the images this pipeline built, run
hardened in a Docker engine of their own (a docker:dind service), never the host's."""

from typing import Final

import dagger
from dagger import dag

from .catalog import ServiceSpec
from .images import docker_archive
from .pull import pull
from .suites import python_toolchain
from .versions import DIND_IMAGE, DOCKER_CLI_IMAGE, POSTGRES_IMAGE

DOCKER_HOST: Final = "docker"
IMAGES_DIR: Final = "/images"
TAG: Final = "containertest"


def docker_engine(*, mirror: str = "") -> dagger.Service:
    """dockerd on tcp://docker:2375 (private to the suite), its storage thrown away with it."""
    return (
        pull(DIND_IMAGE, mirror)
        .with_env_variable("DOCKER_TLS_CERTDIR", "")
        .with_mounted_temp("/var/lib/docker")
        .with_exposed_port(2375)
        .as_service(use_entrypoint=True, insecure_root_capabilities=True)
    )


def tarball_name(reference: str) -> str:
    """`<repository>_<tag>.tar`, the name `scripts/test containers` loads and tags an image from."""
    repository, _, tag = reference.rpartition(":")
    return f"{repository.replace('/', '+')}_{tag}.tar"


def suite_container(
    source: dagger.Directory,
    images: dict[ServiceSpec, dagger.Container],
    base_images: dict[str, str],
    *,
    mirror: str = "",
) -> dagger.Container:
    """`scripts/test containers` against the given images (tagged containertest), the base images they were
    built on (base_images: build arg -> reference; the suite measures what each image adds and builds the
    recipe) and the pinned PostgreSQL."""
    tarballs = dag.directory()
    for ref in (POSTGRES_IMAGE, *base_images.values()):
        tarballs = tarballs.with_file(tarball_name(ref), docker_archive(pull(ref, mirror)))
    for spec, image in images.items():
        tarballs = tarballs.with_file(tarball_name(f"{spec.image}:{TAG}"), docker_archive(image))
    return (
        python_toolchain(source, mirror=mirror)
        .with_file("/usr/local/bin/docker", pull(DOCKER_CLI_IMAGE, mirror).file("/usr/local/bin/docker"))
        .with_service_binding(DOCKER_HOST, docker_engine(mirror=mirror))
        .with_env_variable("DOCKER_HOST", f"tcp://{DOCKER_HOST}:2375")
        .with_env_variable("DOCKER", "/usr/local/bin/docker")
        # The containers publish their ports on the Docker service, not on this container's loopback.
        .with_env_variable("CONTAINER_TESTS_ADDRESS", DOCKER_HOST)
        .with_env_variable("CONTAINER_TESTS_TAG", TAG)
        .with_env_variable("POSTGRES_IMAGE", POSTGRES_IMAGE)
        .with_env_variable("PYTHON_IMAGE", base_images["PYTHON_IMAGE"])
        .with_env_variable("NODE_IMAGE", base_images["NODE_IMAGE"])
        .with_directory(IMAGES_DIR, tarballs)
        .with_env_variable("CONTAINER_TESTS_IMAGES", IMAGES_DIR)
        .with_exec(["scripts/test", "containers"])
    )
