"""NetworkPolicies are enforced: only the application's own flows reach mcp-server, agent and PostgreSQL.

Needs a CNI that enforces NetworkPolicy (airgap/cluster: kube-router; Minikube: --cni=calico;
k3s: built in).
"""

from __future__ import annotations

import pytest
from todo_k8s.probe import reachable_from_new_pod, reachable_from_pod
from todo_k8s.release import Release, serving_pods


def host(release: Release, component: str, port: int) -> str:
    return f"{release.object_name(component)}:{port}"


@pytest.fixture(scope="module")
def targets(release: Release) -> dict[str, str]:
    return {
        "frontend": host(release, "frontend", 3000),
        "backend": host(release, "backend", 8000),
        "mcp-server": host(release, "mcp-server", 8001),
        "agent": host(release, "agent", 8002),
        "postgresql": host(release, "postgresql", 5432),
    }


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


@pytest.mark.parametrize(
    ("component", "runtime", "allowed"),
    [
        ("frontend", "node", {"backend"}),
        ("backend", "python", {"mcp-server", "agent", "postgresql"}),
        ("agent", "python", {"mcp-server"}),
        ("mcp-server", "python", {"postgresql"}),
    ],
)
def test_each_component_reaches_exactly_its_allowed_peers(
    release: Release, targets: dict[str, str], component: str, runtime: str, allowed: set[str]
) -> None:
    peers = {name: address for name, address in targets.items() if name != component}
    result = reachable_from_pod(release, pod_of(release, component), runtime, list(peers.values()))
    assert result == {address: name in allowed for name, address in peers.items()}


def test_metrics_open_to_the_configured_scraper_only(release: Release, targets: dict[str, str]) -> None:
    """metrics.enabled opens each component's port to Prometheus's namespace and pods, and nobody else."""
    monitoring = f"{release.namespace}-mon"
    scrape = [
        f"{targets[c].replace(':', f'.{release.namespace}.svc:')}"
        for c in ("frontend", "backend", "mcp-server", "agent")
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
