"""The rendered NetworkPolicies allow exactly the flows of the architecture, computed as a flow matrix."""

from __future__ import annotations

import ipaddress

import pytest
from todo_testing import catalog

from .chart import NAMESPACE, Obj, Rendered, merged_values, render, user_values
from .netpol import Cluster, Endpoint, Flow
from .variants import VARIANTS, Variant, variant_params

APPLICATION = {c.name: c.port for c in catalog.components()}

NAMESPACE_LABELS = {"kubernetes.io/metadata.name": NAMESPACE}

# The world around the release: other pods, cluster DNS, and addresses outside the cluster.
WORLD = (
    Endpoint(
        "ingress-controller",
        "10.244.1.10",
        "ingress-nginx",
        {"app.kubernetes.io/name": "ingress-nginx"},
        {"kubernetes.io/metadata.name": "ingress-nginx"},
    ),
    Endpoint(
        "kube-dns",
        "10.244.1.2",
        "kube-system",
        {"k8s-app": "kube-dns"},
        {"kubernetes.io/metadata.name": "kube-system"},
        (("UDP", 53, "dns"), ("TCP", 53, "dns-tcp")),
    ),
    Endpoint(
        "neighbour",
        "10.244.2.3",
        NAMESPACE,
        {"app": "neighbour"},
        NAMESPACE_LABELS,
        (("TCP", 5432, ""), ("TCP", 8080, "")),
    ),
    # Same labels as the release's database, in another namespace: pod selectors must not reach it.
    Endpoint(
        "impostor-in-other-namespace",
        "10.244.3.4",
        "other",
        {
            "app.kubernetes.io/name": "todo",
            "app.kubernetes.io/instance": "todo",
            "app.kubernetes.io/component": "postgresql",
        },
        {"kubernetes.io/metadata.name": "other"},
        (("TCP", 5432, "postgresql"), ("TCP", catalog.component("backend").port, "http")),
    ),
    Endpoint("internet", "52.95.110.1", ports=(("TCP", 443, ""), ("TCP", 5432, ""), ("TCP", 80, ""))),
    Endpoint("db-provider-range", "18.192.0.10", ports=(("TCP", 5432, ""), ("TCP", 443, ""))),
    Endpoint("private-host", "10.10.0.5", ports=(("TCP", 443, ""), ("TCP", 5432, ""))),
    Endpoint("cloud-metadata", "169.254.169.254", ports=(("TCP", 80, ""), ("TCP", 443, ""))),
    Endpoint("internet-v6", "2a00:1450:4001::5", ports=(("TCP", 443, ""),)),
    Endpoint("unique-local-v6", "fd00:ec2::254", ports=(("TCP", 443, ""), ("TCP", 80, ""))),
    Endpoint("node-local-dns", "169.254.20.10", ports=(("UDP", 53, ""), ("TCP", 53, ""))),
    Endpoint("kube-apiserver", "10.96.0.1", ports=(("TCP", 443, ""),)),
    Endpoint(
        "prometheus",
        "10.244.4.5",
        "monitoring",
        {"app.kubernetes.io/name": "prometheus"},
        {"kubernetes.io/metadata.name": "monitoring"},
    ),
)


def release_pods(rendered: Rendered) -> dict[str, Endpoint]:
    pods: dict[str, Endpoint] = {}
    for index, (_, metadata, spec) in enumerate(rendered.pod_specs()):
        component = metadata["labels"]["app.kubernetes.io/component"]
        ports = tuple(
            (p.get("protocol", "TCP"), p["containerPort"], p.get("name", ""))
            for c in spec.get("initContainers", []) + spec["containers"]
            for p in c.get("ports", [])
        )
        pods[component] = Endpoint(
            component, f"10.244.0.{index + 10}", NAMESPACE, metadata["labels"], NAMESPACE_LABELS, ports
        )
    return pods


def cluster_of(rendered: Rendered) -> tuple[Cluster, dict[str, Endpoint]]:
    pods = release_pods(rendered)
    return Cluster(tuple(rendered.of_kind("NetworkPolicy")), tuple(pods.values()) + WORLD), pods


def expected_flows(values: Obj, pods: dict[str, Endpoint]) -> set[Flow]:
    """The contract (docs/architecture.md and the chart brief), independent of how the chart expresses it."""
    flows = {
        Flow("ingress-controller", "frontend", "TCP", APPLICATION["frontend"]),
        *(
            Flow(c.name, call.component, "TCP", APPLICATION[call.component])
            for c in catalog.components()
            for call in c.calls
        ),
    }
    for pod in pods:
        for dns in ("kube-dns", "node-local-dns"):
            flows |= {Flow(pod, dns, "UDP", 53), Flow(pod, dns, "TCP", 53)}
    if "secret-init" in pods:
        # The secret-init hook talks to the API server (on the ports it may listen on, wherever it runs).
        api = values["networkPolicy"]["kubeApiServer"]
        flows |= {
            Flow("secret-init", e.name, protocol, port)
            for e in WORLD
            for protocol, port, _ in e.ports
            if not e.is_pod and port in api["ports"] and reachable(e, api["cidrs"])
        }
    database_clients = ["backend", "mcp-server"] + (["migrations"] if values["migrations"]["enabled"] else [])
    if values["postgresql"]["enabled"]:
        flows |= {Flow(client, "postgresql", "TCP", 5432) for client in database_clients}
    else:
        networks = [ipaddress.ip_network(cidr) for cidr in values["externalDatabase"]["egressCidrs"]]
        port = values["externalDatabase"]["port"]
        for endpoint in [*pods.values(), *WORLD]:
            if any(p[:2] == ("TCP", port) for p in endpoint.ports) and any(
                ipaddress.ip_address(endpoint.ip) in n for n in networks
            ):
                flows |= {Flow(client, endpoint.name, "TCP", port) for client in database_clients}
    llm = values["networkPolicy"]["llmEgress"]
    if llm["enabled"] and values["agent"]["env"].get("LLM_MODEL", "builtin") != "builtin":
        flows |= {
            Flow("agent", e.name, "TCP", 443)
            for e in WORLD
            if not e.is_pod
            and ipaddress.ip_address(e.ip).is_global
            and any(p[:2] == ("TCP", 443) for p in e.ports)
            and (llm["ipv6Cidr"] or ipaddress.ip_address(e.ip).version == 4)
        }
    if values["metrics"]["enabled"]:
        flows |= {Flow("prometheus", name, "TCP", port) for name, port in APPLICATION.items()}
    if values["tests"]["enabled"]:
        flows |= {Flow("tests", name, "TCP", port) for name, port in APPLICATION.items()}
    return flows


def reachable(endpoint: Endpoint, cidrs: list[str]) -> bool:
    return any(ipaddress.ip_address(endpoint.ip) in ipaddress.ip_network(cidr) for cidr in cidrs)


ENFORCED = [
    pytest.param(v, id=n)
    for n, v in VARIANTS.items()
    if "networkPolicy.enabled=false" not in ",".join(v.sets)
]


@pytest.mark.parametrize("variant", ENFORCED)
def test_every_pod_of_the_release_is_isolated_both_ways(variant: Variant) -> None:
    rendered = render(user_values(variant.values_file, *variant.sets))
    cluster, pods = cluster_of(rendered)
    assert {"frontend", "backend", "mcp-server", "agent"} <= set(pods)
    for pod in pods.values():
        assert cluster.is_isolated(pod, "Ingress"), f"{pod.name} accepts traffic from anywhere"
        assert cluster.is_isolated(pod, "Egress"), f"{pod.name} may connect anywhere"


@pytest.mark.parametrize("variant", ENFORCED)
def test_allowed_flows_are_exactly_the_architecture(variant: Variant) -> None:
    values = user_values(variant.values_file, *variant.sets)
    cluster, pods = cluster_of(render(values))
    sources = [*pods.values(), *(e for e in WORLD if e.is_pod)]
    involving_release = {
        f for f in cluster.allowed_flows(sources) if f.source in pods or f.destination in pods
    }
    expected = expected_flows(merged_values(values), pods)
    assert sorted(involving_release - expected, key=str) == [], "allowed but not in the contract"
    assert sorted(expected - involving_release, key=str) == [], "in the contract but blocked"


@pytest.mark.parametrize("variant", ENFORCED)
def test_each_side_alone_allows_no_more_than_the_architecture(variant: Variant) -> None:
    """Egress and ingress rules are each a wall of their own: neither may be wider than the contract."""
    values = user_values(variant.values_file, *variant.sets)
    cluster, pods = cluster_of(render(values))
    expected = expected_flows(merged_values(values), pods)
    # Every endpoint as a source, addresses outside the cluster included.
    admitted = {
        f for f in cluster.allowed_flows([*pods.values(), *WORLD], ("Ingress",)) if f.destination in pods
    }
    assert sorted(admitted - expected, key=str) == [], "ingress rules admit more than the contract"
    permitted = cluster.allowed_flows(pods.values(), ("Egress",))
    assert sorted(permitted - expected, key=str) == [], "egress rules permit more than the contract"


def test_the_agent_never_reaches_private_or_metadata_addresses() -> None:
    cluster, pods = cluster_of(render(user_values("values-production.yaml")))
    agent = pods["agent"]
    assert cluster.allows(agent, next(e for e in WORLD if e.name == "internet-v6"), "TCP", 443)
    for endpoint in WORLD:
        if not endpoint.is_pod and not ipaddress.ip_address(endpoint.ip).is_global:
            assert not cluster.allows(agent, endpoint, "TCP", 443), endpoint.name


def test_the_builtin_model_keeps_the_agent_off_the_internet() -> None:
    cluster, pods = cluster_of(render())
    for endpoint in WORLD:
        if not endpoint.is_pod:
            assert not cluster.allows(pods["agent"], endpoint, "TCP", 443), endpoint.name


def test_every_pod_resolves_names_through_node_local_dns_cache() -> None:
    cluster, pods = cluster_of(render())
    cache = next(e for e in WORLD if e.name == "node-local-dns")
    for pod in pods.values():
        assert cluster.allows(pod, cache, "UDP", 53), pod.name
        assert not cluster.allows(pod, cache, "TCP", 80), pod.name


def test_prometheus_scrapes_every_component_only_when_asked() -> None:
    prometheus = next(e for e in WORLD if e.name == "prometheus")
    cluster, pods = cluster_of(render())
    assert not any(cluster.allows(prometheus, pods[name], "TCP", port) for name, port in APPLICATION.items())
    cluster, pods = cluster_of(render(user_values(extra={"metrics": {"enabled": True}})))
    for name, port in APPLICATION.items():
        assert cluster.allows(prometheus, pods[name], "TCP", port), name
    assert not cluster.allows(prometheus, pods["postgresql"], "TCP", 5432)
    elsewhere = user_values(
        extra={
            "metrics": {"enabled": True, "scraper": {"namespaceSelector": {"matchLabels": {"team": "obs"}}}}
        }
    )
    cluster, pods = cluster_of(render(elsewhere))
    assert not cluster.allows(prometheus, pods["backend"], "TCP", APPLICATION["backend"])


def test_the_frontend_accepts_only_the_configured_ingress_controller() -> None:
    values = user_values(
        extra={
            "networkPolicy": {
                "ingressController": {
                    "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "traefik"}}
                }
            }
        }
    )
    cluster, pods = cluster_of(render(values))
    controller = WORLD[0]
    assert not cluster.allows(controller, pods["frontend"], "TCP", APPLICATION["frontend"])


def test_the_evaluator_sees_a_missing_rule() -> None:
    """The flow matrix is computed, not assumed: drop the backend's ingress rule and the frontend loses it."""
    rendered = render()
    for policy in rendered.of_kind("NetworkPolicy"):
        if policy["metadata"]["name"] == "todo-backend":
            policy["spec"]["ingress"] = []
    cluster, pods = cluster_of(rendered)
    assert not cluster.allows(pods["frontend"], pods["backend"], "TCP", APPLICATION["backend"])


@pytest.mark.parametrize("variant", variant_params())
def test_policies_exist_only_when_enabled(variant: Variant) -> None:
    values = user_values(variant.values_file, *variant.sets)
    rendered = render(values)
    assert bool(rendered.of_kind("NetworkPolicy")) is merged_values(values)["networkPolicy"]["enabled"]
