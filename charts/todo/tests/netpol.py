"""Evaluate Kubernetes NetworkPolicy semantics over a set of endpoints, to compute which flows are allowed.

Follows the networking.k8s.io/v1 rules: a pod selected by a policy of a type is isolated for that direction;
a flow needs the egress side of the source and the ingress side of the destination to allow it; within a
rule, peers are ORed, `namespaceSelector` + `podSelector` in one peer are ANDed, empty `from`/`to`/`ports`
match everything. ipBlocks are applied to pod addresses too (as Calico does), the conservative choice.
Anything this module does not understand raises, so a policy it cannot judge never passes silently.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

Labels = Mapping[str, str]
Sides = tuple[str, ...]
BOTH_SIDES: Sides = ("Egress", "Ingress")


@dataclass(frozen=True)
class Endpoint:
    name: str
    ip: str
    namespace: str | None = None  # None: outside the cluster
    labels: Labels = field(default_factory=dict)
    namespace_labels: Labels = field(default_factory=dict)
    ports: tuple[tuple[str, int, str], ...] = ()  # (protocol, port, port name)

    @property
    def is_pod(self) -> bool:
        return self.namespace is not None


@dataclass(frozen=True)
class Flow:
    source: str
    destination: str
    protocol: str
    port: int


def selector_matches(selector: Mapping[str, Any], labels: Labels) -> bool:
    unknown = set(selector) - {"matchLabels", "matchExpressions"}
    if unknown:
        raise ValueError(f"unsupported selector fields {unknown}")
    if any(labels.get(k) != v for k, v in (selector.get("matchLabels") or {}).items()):
        return False
    for expression in selector.get("matchExpressions") or []:
        key, operator, values = expression["key"], expression["operator"], expression.get("values") or []
        if operator == "In" and labels.get(key) not in values:
            return False
        if operator == "NotIn" and key in labels and labels[key] in values:
            return False
        if operator == "Exists" and key not in labels:
            return False
        if operator == "DoesNotExist" and key in labels:
            return False
        if operator not in ("In", "NotIn", "Exists", "DoesNotExist"):
            raise ValueError(f"unsupported selector operator {operator}")
    return True


def ip_block_matches(block: Mapping[str, Any], ip: str) -> bool:
    address = ipaddress.ip_address(ip)
    if address not in ipaddress.ip_network(block["cidr"]):
        return False
    return not any(address in ipaddress.ip_network(excluded) for excluded in block.get("except") or [])


def peer_matches(peer: Mapping[str, Any], policy_namespace: str, endpoint: Endpoint) -> bool:
    unknown = set(peer) - {"podSelector", "namespaceSelector", "ipBlock"}
    if unknown:
        raise ValueError(f"unsupported peer fields {unknown}")
    if "ipBlock" in peer:
        if len(peer) > 1:
            raise ValueError("ipBlock cannot be combined with selectors")
        return ip_block_matches(peer["ipBlock"], endpoint.ip)
    if not endpoint.is_pod:
        return False
    if "namespaceSelector" in peer:
        namespace_ok = selector_matches(peer["namespaceSelector"], endpoint.namespace_labels)
    else:
        namespace_ok = endpoint.namespace == policy_namespace
    pod_ok = selector_matches(peer.get("podSelector") or {}, endpoint.labels)
    return namespace_ok and pod_ok


def port_matches(
    rule_ports: list[Mapping[str, Any]] | None, destination: Endpoint, protocol: str, port: int
) -> bool:
    if not rule_ports:
        return True
    for rule_port in rule_ports:
        unknown = set(rule_port) - {"protocol", "port", "endPort"}
        if unknown:
            raise ValueError(f"unsupported port fields {unknown}")
        if rule_port.get("protocol", "TCP") != protocol:
            continue
        wanted = rule_port.get("port")
        if wanted is None:
            return True
        if isinstance(wanted, str):
            if any((p, n, name) == (protocol, port, wanted) for p, n, name in destination.ports):
                return True
            continue
        if wanted <= port <= rule_port.get("endPort", wanted):
            return True
    return False


@dataclass(frozen=True)
class Cluster:
    policies: tuple[Mapping[str, Any], ...]
    endpoints: tuple[Endpoint, ...]

    def _selecting(self, pod: Endpoint, direction: str) -> list[Mapping[str, Any]]:
        if not pod.is_pod:
            return []
        selecting = []
        for policy in self.policies:
            spec = policy["spec"]
            types = spec.get("policyTypes") or (["Ingress", "Egress"] if "egress" in spec else ["Ingress"])
            if (
                policy["metadata"]["namespace"] == pod.namespace
                and direction in types
                and selector_matches(spec["podSelector"], pod.labels)
            ):
                selecting.append(policy)
        return selecting

    def is_isolated(self, pod: Endpoint, direction: str) -> bool:
        return bool(self._selecting(pod, direction))

    def _side_allows(
        self, pod: Endpoint, direction: str, peer: Endpoint, destination: Endpoint, protocol: str, port: int
    ) -> bool:
        policies = self._selecting(pod, direction)
        if not policies:
            return True
        rules_key, peers_key = ("ingress", "from") if direction == "Ingress" else ("egress", "to")
        for policy in policies:
            for rule in policy["spec"].get(rules_key) or []:
                peers = rule.get(peers_key)
                if peers and not any(peer_matches(p, policy["metadata"]["namespace"], peer) for p in peers):
                    continue
                if port_matches(rule.get("ports"), destination, protocol, port):
                    return True
        return False

    def allows(
        self, source: Endpoint, destination: Endpoint, protocol: str, port: int, sides: Sides = BOTH_SIDES
    ) -> bool:
        """Whether the flow passes the given sides: the source's egress and/or the destination's ingress."""
        egress_ok = "Egress" not in sides or self._side_allows(
            source, "Egress", destination, destination, protocol, port
        )
        return egress_ok and (
            "Ingress" not in sides
            or self._side_allows(destination, "Ingress", source, destination, protocol, port)
        )

    def allowed_flows(self, sources: Iterable[Endpoint], sides: Sides = BOTH_SIDES) -> set[Flow]:
        return {
            Flow(source.name, destination.name, protocol, port)
            for source in sources
            for destination in self.endpoints
            if destination is not source
            for protocol, port, _ in destination.ports
            if self.allows(source, destination, protocol, port, sides)
        }
