"""Render the chart offline with Helm's own engine (helm-python-sdk); typed access to the result."""

from __future__ import annotations

import copy
import functools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import helm_python as helm
import yaml
from todo_testing import catalog

CHART_DIR = Path(__file__).resolve().parents[1]
VALUES_FILES = ("values.yaml", "values-minikube.yaml", "values-production.yaml")
RELEASE = "todo"
NAMESPACE = "todo"

# Application components: values key -> (component label, port), from the catalog.
COMPONENTS: dict[str, tuple[str, int]] = {c.values_key: (c.name, c.port) for c in catalog.components()}
SECRET_KEYS = (
    "JWT_SECRET",
    "INTERNAL_TOKEN",
    "DATABASE_URL",
    "DATABASE_DIRECT_URL",
    "LLM_API_KEY",
    "POSTGRES_PASSWORD",
)
POD_KINDS = ("Deployment", "StatefulSet", "Job", "Pod")

Obj = dict[str, Any]


@functools.cache
def _chart() -> helm.Chart:
    return helm.Chart.load(CHART_DIR)


def load_values_file(name: str) -> Obj:
    loaded = yaml.safe_load((CHART_DIR / name).read_text())
    return loaded if isinstance(loaded, dict) else {}


def deep_merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> Obj:
    """Helm's layering of -f files and --set: maps merge key by key, anything else is replaced."""
    merged: Obj = copy.deepcopy(dict(base))
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def user_values(values_file: str = "values.yaml", *sets: str, extra: Mapping[str, Any] | None = None) -> Obj:
    """The values a user passes: one values file, then `--set` expressions, then a literal override."""
    values = {} if values_file == "values.yaml" else load_values_file(values_file)
    for expression in sets:
        values = deep_merge(values, helm.parse_set_string(expression))
    return deep_merge(values, extra or {})


@dataclass(frozen=True)
class Rendered:
    objects: list[Obj]

    def of_kind(self, kind: str) -> list[Obj]:
        return [o for o in self.objects if o["kind"] == kind]

    def get(self, kind: str, name: str) -> Obj:
        matches = [o for o in self.of_kind(kind) if o["metadata"]["name"] == name]
        assert len(matches) == 1, f"expected one {kind}/{name}, found {len(matches)}"
        return matches[0]

    def find(self, kind: str, name: str) -> Obj | None:
        matches = [o for o in self.of_kind(kind) if o["metadata"]["name"] == name]
        return matches[0] if matches else None

    def component(self, kind: str, component: str) -> Obj:
        """The one object of `kind` labelled with `component` (names change with fullnameOverride)."""
        matches = [
            o
            for o in self.of_kind(kind)
            if o["metadata"]["labels"]["app.kubernetes.io/component"] == component
        ]
        assert len(matches) == 1, f"expected one {kind} of component {component}, found {len(matches)}"
        return matches[0]

    def pod_specs(self) -> Iterator[tuple[Obj, Obj, Obj]]:
        """(owner, pod metadata, pod spec) of every pod the release can create, hooks and tests included."""
        for obj in self.objects:
            if obj["kind"] == "Pod":
                yield obj, obj["metadata"], obj["spec"]
            elif obj["kind"] in POD_KINDS:
                template = obj["spec"]["template"]
                yield obj, template["metadata"], template["spec"]

    def containers(self) -> Iterator[tuple[Obj, Obj, Obj]]:
        """(owner object, pod spec, container) of every container and init container."""
        for owner, _, spec in self.pod_specs():
            for container in spec.get("initContainers", []) + spec["containers"]:
                yield owner, spec, container

    def config_maps_data(self) -> dict[str, dict[str, str]]:
        return {cm["metadata"]["name"]: cm.get("data", {}) for cm in self.of_kind("ConfigMap")}


def rendered_manifests(
    values: Mapping[str, Any] | None = None, *, release: str = RELEASE, namespace: str = NAMESPACE
) -> dict[str, str]:
    """The manifests as text, by template, like `helm template` (hooks and test pods included; NOTES.txt left
    out; `lookup` finds nothing offline)."""
    manifests = _chart().render(dict(values or {}), name=release, namespace=namespace, is_install=True)
    return {source: text for source, text in sorted(manifests.items()) if not source.endswith("NOTES.txt")}


def render(
    values: Mapping[str, Any] | None = None, *, release: str = RELEASE, namespace: str = NAMESPACE
) -> Rendered:
    """Render like `helm template`, parsed."""
    objects: list[Obj] = []
    for text in rendered_manifests(values, release=release, namespace=namespace).values():
        for document in yaml.safe_load_all(text):
            if document:
                objects.append(document)
    return Rendered(objects)


def annotations_of(obj: Obj) -> dict[str, str]:
    annotated: dict[str, str] = obj["metadata"].get("annotations") or {}
    return annotated


def render_notes(values: Mapping[str, Any] | None = None) -> str:
    manifests = _chart().render(dict(values or {}), name=RELEASE, namespace=NAMESPACE, is_install=True)
    return next(text for source, text in manifests.items() if source.endswith("NOTES.txt"))


def validate_values(values: Mapping[str, Any]) -> None:
    """Helm's schema validation of user values (it coalesces them with the chart's defaults itself);
    raises helm.HelmValuesError."""
    _chart().validate_schema(dict(values))


def merged_values(values: Mapping[str, Any]) -> Obj:
    """The values a release would use: the chart's defaults coalesced with the user's."""
    return _chart().merge_values(dict(values))


def lint(values: Mapping[str, Any], kube_version: str) -> dict[str, Any]:
    return helm.lint(CHART_DIR, dict(values), strict=True, namespace=NAMESPACE, kube_version=kube_version)


def default_values() -> Obj:
    return _chart().values
