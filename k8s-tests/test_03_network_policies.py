"""NetworkPolicies are enforced: only the application's own flows reach mcp-server, agent and PostgreSQL.

Needs a CNI that enforces NetworkPolicy (airgap/cluster: kube-router; Minikube: --cni=calico;
k3s: built in).
"""

from __future__ import annotations

import pytest
from todo_k8s.probe import reachable_from_new_pod, reachable_from_pod
from todo_k8s.release import Release, serving_pods
from todo_testing import catalog

POSTGRES_PORT = 5432
COMPONENTS = catalog.components()


def host(release: Release, component: str, port: int) -> str:
    return f"{release.object_name(component)}:{port}"


@pytest.fixture(scope="module")
def targets(release: Release) -> dict[str, str]:
    hosts = {c.name: host(release, c.name, c.port) for c in COMPONENTS}
    return {**hosts, "postgresql": host(release, "postgresql", POSTGRES_PORT)}


def pod_of(release: Release, component: str) -> str:
    name: str = serving_pods(release.pods(component))[0]["metadata"]["name"]
    return name


def test_a_pod_without_the_allowed_labels_reaches_nothing_internal(
    release: Release, targets: dict[str, str]
) -> None:
    internal = [targets[c] for c in ("backend", "mcp-server", "agent", "postgresql")]
    result = reachable_from_new_pod(release, {"app": "intruder"}, internal)
    assert result == dict.fromkeys(internal, False)


def test_a_pod_of_another_namespace_reaches_nothing_internal(
    release: Release, targets: dict[str, str]
) -> None:
    fqdn = [
        f"{targets[c].replace(':', f'.{release.namespace}.svc:')}"
        for c in ("mcp-server", "agent", "postgresql")
    ]
    release.kubectl("create", "namespace", f"{release.namespace}-other")
    try:
        # Even with the release's own labels: the policies only admit pods of the release's namespace.
        result = reachable_from_new_pod(
            release, release.labels("backend"), fqdn, namespace=f"{release.namespace}-other"
        )
    finally:
        release.kubectl("delete", "namespace", f"{release.namespace}-other", "--wait=false")
    assert result == dict.fromkeys(fqdn, False)


def test_the_test_pods_reach_the_services_but_not_the_database(
    release: Release, targets: dict[str, str]
) -> None:
    result = reachable_from_new_pod(release, release.labels("tests"), list(targets.values()))
    expected = dict.fromkeys(targets.values(), True)
    expected[targets["postgresql"]] = False
    assert result == expected


@pytest.mark.parametrize("component", [c.name for c in COMPONENTS])
def test_each_component_reaches_exactly_its_allowed_peers(
    release: Release, targets: dict[str, str], component: str
) -> None:
    """The flows of the catalog's `calls` (and `database`), and no other."""
    entry = catalog.component(component)
    allowed = {call.component for call in entry.calls} | ({"postgresql"} if entry.database else set())
    runtime = entry.runtime
    peers = {name: address for name, address in targets.items() if name != component}
    result = reachable_from_pod(release, pod_of(release, component), runtime, list(peers.values()))
    assert result == {address: name in allowed for name, address in peers.items()}


def test_metrics_open_to_the_configured_scraper_only(release: Release, targets: dict[str, str]) -> None:
    """metrics.enabled opens each component's port to Prometheus's namespace and pods, and nobody else."""
    monitoring = f"{release.namespace}-mon"
    scrape = [
        f"{targets[c].replace(':', f'.{release.namespace}.svc:')}" for c in (c.name for c in COMPONENTS)
    ]
    release.kubectl("create", "namespace", monitoring)
    try:
        release.upgrade(
            "--set",
            "metrics.enabled=true",
            "--set-string",
            f"metrics.scraper.namespaceSelector.matchLabels.kubernetes\\.io/metadata\\.name={monitoring}",
        )
        prometheus = {"app.kubernetes.io/name": "prometheus"}
        assert reachable_from_new_pod(release, prometheus, scrape, namespace=monitoring) == dict.fromkeys(
            scrape, True
        )
        other = reachable_from_new_pod(release, {"app": "not-prometheus"}, scrape, namespace=monitoring)
        assert other == dict.fromkeys(scrape, False)
    finally:
        release.upgrade()
        release.kubectl("delete", "namespace", monitoring, "--wait=false")
