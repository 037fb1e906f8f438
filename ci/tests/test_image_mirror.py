"""--image-mirror: every image the pipeline pulls comes from the mirror, by tag; without it, as pinned."""

from collections.abc import Iterator
from typing import Any

import dagger
import pytest
from dagger import dag
from dagger.client.base import Type
from dagger_chains import FakeEngine, calls, chain, pipeline
from todo import references, versions
from todo.main import Env

pytestmark = pytest.mark.anyio
MIRROR = "registry.internal:5000"
# Every image a function pulls (the service images are built, on the Dockerfiles' base images).
PULLED = {
    versions.PYTHON_TOOLCHAIN_IMAGE,
    versions.NODE_TOOLCHAIN_IMAGE,
    versions.POSTGRES_IMAGE,
    versions.TRIVY_IMAGE,
    versions.HELM_IMAGE,
    versions.KUBECTL_IMAGE,
    versions.KUBECONFORM_IMAGE,
    versions.K3S_IMAGE,
    versions.REGISTRY_IMAGE,
    versions.SKOPEO_IMAGE,
    versions.DOCKER_CLI_IMAGE,
    versions.DIND_IMAGE,
    versions.PYTHON_BASE_IMAGE,  # the container suite measures what the images add to it
}


@pytest.mark.parametrize(
    ("ref", "split"),
    [
        ("python:3.11.14-slim-bookworm", ("docker.io", "library/python", "3.11.14-slim-bookworm")),
        ("registry:2.8.3", ("docker.io", "library/registry", "2.8.3")),
        ("rancher/k3s:v1.34.1-k3s1", ("docker.io", "rancher/k3s", "v1.34.1-k3s1")),
        ("alpine/helm:4.2.2@sha256:" + "ee" * 32, ("docker.io", "alpine/helm", "4.2.2")),
        ("ghcr.io/yannh/kubeconform:v0.7.0", ("ghcr.io", "yannh/kubeconform", "v0.7.0")),
        ("registry.k8s.io/kubectl:v1.34.1", ("registry.k8s.io", "kubectl", "v1.34.1")),
        ("localhost:5000/a/b:1@sha256:" + "ab" * 32, ("localhost:5000", "a/b", "1")),
        ("localhost/todo-backend", ("localhost", "todo-backend", "latest")),
        ("python", ("docker.io", "library/python", "latest")),
    ],
)
def test_split_names_the_registry_host_repository_and_tag(ref: str, split: tuple[str, str, str]) -> None:
    assert references.split(ref) == split


def test_a_mirrored_reference_is_mirror_host_path_and_tag_without_the_digest() -> None:
    assert references.mirrored(versions.TRIVY_IMAGE, MIRROR) == f"{MIRROR}/docker.io/aquasec/trivy:0.69.3"
    assert (
        references.mirrored("python:3.11", "mirror.example/hub")
        == "mirror.example/hub/docker.io/library/python:3.11"
    )
    assert references.mirrored("ghcr.io/a/b:1", MIRROR) == f"{MIRROR}/ghcr.io/a/b:1"
    # No mirror: the reference as pinned, digest included.
    assert references.mirrored(versions.TRIVY_IMAGE, "") == versions.TRIVY_IMAGE


@pytest.mark.parametrize(
    "mirror", ["Registry.internal", "https://registry.internal", "registry.internal/", "a b"]
)
def test_an_invalid_mirror_is_refused(mirror: str) -> None:
    with pytest.raises(ValueError, match="invalid registry"):
        references.mirrored("python:3.11", mirror)


def objects_in(value: Any) -> Iterator[Type]:
    if isinstance(value, Type):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from objects_in(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from objects_in(item)


def pulled(engine: FakeEngine) -> tuple[set[str], set[str]]:
    """The `from` addresses and the base-image build args in the queries of every awaited object and of
    the objects (services, files, directories) they use."""
    addresses: set[str] = set()
    base_images: set[str] = set()
    seen: set[int] = set()
    todo = [obj for _, obj, _ in engine.awaited if isinstance(obj, Type)]
    while todo:
        obj = todo.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        addresses |= {str(args["address"]) for args in calls(obj, "from")}
        for build in calls(obj, "dockerBuild"):
            base_images |= {a["value"] for a in build.get("buildArgs", []) if a["name"].endswith("_IMAGE")}
        todo.extend(found for _, args in chain(obj) for found in objects_in(args))
    return addresses, base_images


async def every_function(todo: Any) -> None:
    """Calls each function of the module once (deploy to k3s and to Minikube)."""
    await todo.build("backend")
    await todo.build_all()
    await todo.image_tarballs()
    await todo.export_images(dag.host().unix_socket("/var/run/docker.sock"))
    await todo.lint()
    await todo.test()
    await todo.scan()
    await todo.scan_report(vulnerabilities=False)
    await todo.lint_chart()
    await todo.lint_chart(schemas=dag.directory())
    await todo.deploy()
    await todo.deploy(
        env=Env.MINIKUBE,
        kubeconfig=dag.set_secret("kubeconfig", "x"),
        kube_api=dag.host().service([dagger.PortForward(backend=8443, frontend=8443)], host="192.168.49.2"),
        docker_socket=dag.host().unix_socket("/var/run/docker.sock"),
    )
    await todo.publish("ghcr.io/acme")
    await todo.ci()


async def test_with_a_mirror_every_image_comes_from_it_by_tag(engine: FakeEngine) -> None:
    await every_function(pipeline(image_mirror=MIRROR))
    addresses, base_images = pulled(engine)
    assert addresses == {references.mirrored(ref, MIRROR) for ref in PULLED}
    assert all(a.startswith(f"{MIRROR}/") and "@" not in a for a in addresses)
    # The services' base images too: the Dockerfiles' defaults, from the mirror.
    assert base_images == {
        f"{MIRROR}/docker.io/library/python:3.12.12-slim-bookworm",
        f"{MIRROR}/docker.io/library/node:24.13.0-bookworm-slim",
    }
    assert references.split(versions.PYTHON_BASE_IMAGE)[1:] == ("library/python", "3.12.12-slim-bookworm")


async def test_without_a_mirror_every_image_is_pulled_as_pinned(engine: FakeEngine) -> None:
    await every_function(pipeline())
    addresses, base_images = pulled(engine)
    assert addresses == PULLED
    assert {versions.TRIVY_IMAGE, versions.HELM_IMAGE} <= addresses
    assert all("@sha256:" in ref for ref in (versions.TRIVY_IMAGE, versions.HELM_IMAGE))
    # The Dockerfiles' own defaults.
    assert base_images == set()


async def test_explicit_base_images_win_over_the_mirror(engine: FakeEngine) -> None:
    todo = pipeline(image_mirror=MIRROR, python_image="local/python:3.12", node_image="local/node:24")
    await todo.build_all()
    _, base_images = pulled(engine)
    assert base_images == {"local/python:3.12", "local/node:24"}


async def test_an_invalid_mirror_is_refused_before_anything_runs(engine: FakeEngine) -> None:
    with pytest.raises(ValueError, match="invalid registry 'https://mirror'"):
        await pipeline(image_mirror="https://mirror").lint()
    assert engine.awaited == []
