"""Where pods run and how fast they leave a lost node: the chart's NoExecute tolerations of not-ready and
unreachable nodes, and its default spread of a component's pods over nodes."""

from __future__ import annotations

import helm_python as helm
import pytest

from .chart import COMPONENTS, Obj, render, user_values
from .variants import Variant, variant_params

LOST_NODE_TAINTS = ("node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable")


def pod_spec(values: Obj, component: str) -> Obj:
    spec: Obj = render(user_values(extra=values)).component("Deployment", component)["spec"]["template"][
        "spec"
    ]
    return spec


def lost_node_seconds(spec: Obj) -> dict[str, int]:
    return {
        t["key"]: t["tolerationSeconds"]
        for t in spec.get("tolerations", [])
        if t.get("key") in LOST_NODE_TAINTS and t.get("effect") == "NoExecute"
    }


@pytest.mark.parametrize("variant", variant_params())
def test_every_component_leaves_a_lost_node_after_20_seconds_by_default(variant: Variant) -> None:
    rendered = render(user_values(variant.values_file, *variant.sets))
    for component, _ in COMPONENTS.values():
        spec = rendered.component("Deployment", component)["spec"]["template"]["spec"]
        assert lost_node_seconds(spec) == dict.fromkeys(LOST_NODE_TAINTS, 20), component
        # NoExecute only: a NoSchedule taint of a lost node must keep new pods away.
        assert all(t["effect"] == "NoExecute" for t in spec["tolerations"]), component


def test_postgresql_keeps_the_cluster_default_on_a_lost_node() -> None:
    # Its volume is bound to the lost node (local) or still attached there (network): a replacement elsewhere
    # cannot start before the node is back or force-detached, so evicting early gains nothing.
    statefulset = render().component("StatefulSet", "postgresql")
    assert lost_node_seconds(statefulset["spec"]["template"]["spec"]) == {}


@pytest.mark.parametrize(("key", "component"), [(key, label) for key, (label, _) in COMPONENTS.items()])
def test_the_lost_node_toleration_is_configurable_per_component(key: str, component: str) -> None:
    assert lost_node_seconds(
        pod_spec({key: {"nodeFailureTolerationSeconds": 45}}, component)
    ) == dict.fromkeys(LOST_NODE_TAINTS, 45)
    assert lost_node_seconds(pod_spec({key: {"nodeFailureTolerationSeconds": None}}, component)) == {}


def test_a_users_own_toleration_for_a_lost_node_replaces_the_charts() -> None:
    own = {
        "key": "node.kubernetes.io/unreachable",
        "operator": "Exists",
        "effect": "NoExecute",
        "tolerationSeconds": 5,
    }
    other = {"key": "dedicated", "operator": "Equal", "value": "todo", "effect": "NoSchedule"}
    spec = pod_spec({"backend": {"tolerations": [own, other]}}, "backend")
    assert lost_node_seconds(spec) == {
        "node.kubernetes.io/unreachable": 5,
        "node.kubernetes.io/not-ready": 20,
    }
    assert other in spec["tolerations"]


def hostname_spread(spec: Obj) -> list[Obj]:
    return [
        c for c in spec.get("topologySpreadConstraints", []) if c["topologyKey"] == "kubernetes.io/hostname"
    ]


@pytest.mark.parametrize(
    ("overrides", "spread"),
    [
        ({}, False),
        ({"replicas": 2}, True),
        ({"replicas": 1, "autoscaling": {"enabled": True, "minReplicas": 1, "maxReplicas": 3}}, True),
        ({"replicas": 3, "autoscaling": {"enabled": True, "minReplicas": 1, "maxReplicas": 1}}, False),
        ({"replicas": 2, "spreadAcrossNodes": False}, False),
    ],
)
@pytest.mark.parametrize(("key", "component"), [(key, label) for key, (label, _) in COMPONENTS.items()])
def test_more_than_one_pod_spreads_over_nodes_by_default(
    key: str, component: str, overrides: Obj, spread: bool
) -> None:
    rendered = render(user_values(extra={key: overrides}))
    deployment = rendered.component("Deployment", component)
    constraints = hostname_spread(deployment["spec"]["template"]["spec"])
    if not spread:
        assert constraints == []
        return
    assert constraints == [
        {
            "maxSkew": 1,
            "topologyKey": "kubernetes.io/hostname",
            # A preference: a single-node cluster or a full node must not leave pods Pending.
            "whenUnsatisfiable": "ScheduleAnyway",
            # Each ReplicaSet spreads on its own, so a rollout's new pods land on different nodes too.
            "matchLabelKeys": ["pod-template-hash"],
            "labelSelector": {"matchLabels": deployment["spec"]["selector"]["matchLabels"]},
        }
    ]


def test_explicit_spread_constraints_replace_the_default() -> None:
    zone = {"maxSkew": 2, "topologyKey": "topology.kubernetes.io/zone", "whenUnsatisfiable": "DoNotSchedule"}
    spec = pod_spec({"agent": {"replicas": 2, "topologySpreadConstraints": [zone]}}, "agent")
    [constraint] = spec["topologySpreadConstraints"]
    assert constraint["topologyKey"] == "topology.kubernetes.io/zone"
    assert constraint["labelSelector"]["matchLabels"]["app.kubernetes.io/component"] == "agent"


def test_production_example_spreads_over_nodes_and_zones() -> None:
    rendered = render(user_values("values-production.yaml"))
    for component, _ in COMPONENTS.values():
        spec = rendered.component("Deployment", component)["spec"]["template"]["spec"]
        keys = [c["topologyKey"] for c in spec["topologySpreadConstraints"]]
        assert keys == ["kubernetes.io/hostname", "topology.kubernetes.io/zone"], component


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"backend": {"nodeFailureTolerationSeconds": -1}}, "/backend/nodeFailureTolerationSeconds'"),
        ({"backend": {"nodeFailureTolerationSeconds": "20s"}}, "/backend/nodeFailureTolerationSeconds'"),
        ({"agent": {"spreadAcrossNodes": "yes"}}, "/agent/spreadAcrossNodes'"),
    ],
)
def test_schema_rejects_bad_scheduling_values(values: Obj, message: str) -> None:
    with pytest.raises(helm.HelmValuesError, match=message):
        render(user_values(extra=values))
