"""Fixtures of the live-cluster suite. It runs against whatever KUBECONFIG points to (the cluster of
airgap/cluster, Minikube, k3s) and skips, saying why, when no cluster or no helm is there.

Settings (environment):
  TODO_K8S_VALUES          extra values files (os.pathsep-separated) after charts/todo/values-minikube.yaml,
                           e.g. the one airgap/cluster/load-images writes (local PostgreSQL image)
  TODO_K8S_IMAGE_TAG       tag of the project images present in the cluster (default: dev)
  TODO_K8S_NEXT_IMAGE_TAG  a second tag of the same images, for the rolling-upgrade test (skipped without it)
  TODO_K8S_KUBECTL, TODO_K8S_HELM   the binaries (default: from PATH)
  TODO_K8S_KEEP=1          keep the test namespace afterwards (for debugging)
  TODO_K8S_NODE_NETWORK    a command `CMD NODE down|up` that cuts a node off the network and restores it, for
                           the node-failure tests (airgap/cluster/up prints it; unset: they are skipped)
  TODO_K8S_REQUIRED=1      fail, instead of skipping, when the cluster, helm, the second tag, the metrics
                           API or (with TODO_K8S_NODE_NETWORK) a second node is missing (CI and
                           `dagger call deploy` set it)
"""

from __future__ import annotations

import os
import secrets
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest

sys.path.insert(0, str(Path(__file__).parent))

from todo_k8s.commands import CommandError, Helm, Kubectl, tool
from todo_k8s.portforward import port_forward
from todo_k8s.release import BACKEND_PORT, Release, is_ready, serving_pods, wait_until
from todo_k8s.requirements import unavailable
from todo_testing.api import ApiUser, sign_up

REPO = Path(__file__).resolve().parent.parent
CHART = REPO / "charts" / "todo"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if Path(str(item.fspath)).is_relative_to(Path(__file__).parent):
            item.add_marker(pytest.mark.timeout(900))


@pytest.fixture(scope="session")
def kubectl() -> Kubectl:
    binary = tool("kubectl")
    if binary is None:
        unavailable("kubectl is not installed (or set TODO_K8S_KUBECTL)")
    try:
        Kubectl(binary)("get", "--raw", "/readyz", timeout=15)
    except CommandError as exc:
        where = os.environ.get("KUBECONFIG", "~/.kube/config")
        unavailable(f"no reachable Kubernetes cluster (KUBECONFIG={where}): {exc}")
    return Kubectl(binary)


@pytest.fixture(scope="session")
def helm_binary() -> str:
    binary = tool("helm")
    if binary is None:
        unavailable("helm is not installed (or set TODO_K8S_HELM)")
    return binary


def _values_args(image_tag: str) -> list[str]:
    args = [str(CHART), "-f", str(CHART / "values-minikube.yaml")]
    for extra in filter(None, os.environ.get("TODO_K8S_VALUES", "").split(os.pathsep)):
        if not Path(extra).is_file():
            raise pytest.UsageError(f"TODO_K8S_VALUES names a missing file: {extra}")
        args += ["-f", extra]
    return [*args, "--set-string", f"global.image.tag={image_tag}"]


def all_serving_pods_ready(release: Release) -> bool:
    pods = serving_pods(release.pods())
    return bool(pods) and all(is_ready(p) for p in pods)


@pytest.fixture(scope="session")
def release(kubectl: Kubectl, helm_binary: str) -> Iterator[Release]:
    """charts/todo installed from scratch in a fresh namespace with the Minikube-like values."""
    namespace = f"todo-k8s-{secrets.token_hex(3)}"
    image_tag = os.environ.get("TODO_K8S_IMAGE_TAG", "dev")
    release = Release(
        name="todo",
        namespace=namespace,
        kubectl=kubectl.in_namespace(namespace),
        helm=Helm(helm_binary, "todo", namespace),
        image_tag=image_tag,
        base_args=_values_args(image_tag),
    )
    kubectl("create", "namespace", namespace)
    try:
        started = time.monotonic()
        release.helm("install", release.name, *release.base_args, "--wait", "--timeout", "5m")
        wait_until("every pod Ready", lambda: all_serving_pods_ready(release), timeout=300)
        release.install_seconds = time.monotonic() - started
        print(f"\n[k8s-tests] helm install -> all pods ready: {release.install_seconds:.1f}s")
        yield release
    finally:
        if os.environ.get("TODO_K8S_KEEP") != "1":
            try:
                release.helm("uninstall", release.name, "--wait", "--timeout", "3m")
            finally:
                kubectl("delete", "namespace", namespace, "--wait=true", "--timeout=180s", timeout=200)


@pytest.fixture
def backend_url(release: Release) -> Iterator[str]:
    # Per test: a port-forward is bound to one pod, and tests replace pods.
    with port_forward(release.kubectl, f"svc/{release.object_name('backend')}", BACKEND_PORT) as url:
        yield url


@pytest.fixture
def backend(backend_url: str) -> Iterator[httpx2.Client]:
    with httpx2.Client(base_url=backend_url, timeout=30) as client:
        yield client


@pytest.fixture
def user(backend: httpx2.Client) -> ApiUser:
    return sign_up(backend)


@pytest.fixture(scope="session")
def load_user(release: Release) -> ApiUser:
    """A user whose token the in-cluster load generators send (signed up once per session)."""
    with (
        port_forward(release.kubectl, f"svc/{release.object_name('backend')}", BACKEND_PORT) as url,
        httpx2.Client(base_url=url, timeout=30) as client,
    ):
        return sign_up(client, "Load")
