"""The chart takes its components from components.yaml: a new service is one catalog entry plus its values."""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path
from typing import Any

import helm_python as helm
import yaml

from .chart import CHART_DIR, NAMESPACE, RELEASE

NEW = {
    "name": "notifier",
    "valuesKey": "notifier",
    "image": "todo-notifier",
    "description": "Evolution of Todo: reminders",
    "port": 8003,
    "runtime": "python",
    "package": "todo_notifier",
    "health": {"liveness": "/healthz", "readiness": "/readyz", "metrics": "/metrics"},
    "public": False,
    "calls": [{"component": "mcp-server", "env": "MCP_SERVER_URL", "path": "/mcp"}],
    "database": False,
    "secretKeys": ["INTERNAL_TOKEN"],
    "optionalSecretKeys": [],
}


def _chart_with_notifier(tmp_path: Path) -> helm.Chart:
    """A copy of the chart whose catalog lists the notifier (the backend calls it), with values for it."""
    chart = tmp_path / "todo"
    shutil.copytree(CHART_DIR, chart, ignore=shutil.ignore_patterns("tests", "__pycache__"))
    catalog: dict[str, Any] = yaml.safe_load((chart / "components.yaml").read_text())
    backend = next(c for c in catalog["components"] if c["name"] == "backend")
    backend["calls"].append({"component": "notifier", "env": "NOTIFIER_URL", "path": ""})
    catalog["components"].insert(0, NEW)
    (chart / "components.yaml").write_text(yaml.safe_dump(catalog, sort_keys=False))
    values: dict[str, Any] = yaml.safe_load((chart / "values.yaml").read_text())
    values["notifier"] = copy.deepcopy(values["agent"])
    values["notifier"]["image"]["repository"] = "todo-notifier"
    (chart / "values.yaml").write_text(yaml.safe_dump(values, sort_keys=False))
    # The schema closes values.yaml to unknown keys: a new component's section is added as the agent's.
    schema: dict[str, Any] = json.loads((chart / "values.schema.json").read_text())
    schema["properties"]["notifier"] = schema["properties"]["agent"]
    (chart / "values.schema.json").write_text(json.dumps(schema))
    return helm.Chart.load(chart)


def _of(objects: list[dict[str, Any]], kind: str, component: str) -> dict[str, Any]:
    (found,) = [
        o
        for o in objects
        if o["kind"] == kind and o["metadata"]["labels"].get("app.kubernetes.io/component") == component
    ]
    return found


def test_a_component_added_to_the_catalog_is_deployed_wired_and_allowed_through_the_network_policies(
    tmp_path: Path,
) -> None:
    manifests = _chart_with_notifier(tmp_path).render({}, name=RELEASE, namespace=NAMESPACE, is_install=True)
    objects = [
        doc
        for source, text in manifests.items()
        if not source.endswith("NOTES.txt")
        for doc in yaml.safe_load_all(text)
        if doc
    ]
    for kind in ("Deployment", "Service", "ConfigMap", "ServiceAccount"):
        _of(objects, kind, "notifier")
    container = _of(objects, "Deployment", "notifier")["spec"]["template"]["spec"]["containers"][0]
    assert container["image"].startswith("todo-notifier:")
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert _of(objects, "Service", "notifier")["spec"]["ports"][0]["port"] == 8003
    assert (
        _of(objects, "ConfigMap", "notifier")["data"]["MCP_SERVER_URL"] == "http://todo-mcp-server:8001/mcp"
    )
    assert _of(objects, "ConfigMap", "backend")["data"]["NOTIFIER_URL"] == "http://todo-notifier:8003"

    policies = {
        o["metadata"]["name"]: o["spec"]
        for o in objects
        if o["kind"] == "NetworkPolicy" and o["metadata"]["name"].startswith(f"{RELEASE}-")
    }
    notifier = next(
        p
        for p in policies.values()
        if p["podSelector"].get("matchLabels", {}).get("app.kubernetes.io/component") == "notifier"
    )
    callers = [
        peer["podSelector"]["matchLabels"]["app.kubernetes.io/component"]
        for rule in notifier["ingress"]
        for peer in rule["from"]
        if "podSelector" in peer
    ]
    assert "backend" in callers
    assert "frontend" not in callers
    egress_to = [
        peer["podSelector"]["matchLabels"]["app.kubernetes.io/component"]
        for rule in notifier["egress"]
        for peer in rule["to"]
        if "podSelector" in peer
    ]
    assert egress_to == ["mcp-server"]
