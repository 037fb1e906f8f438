"""Helm lint, and every rendered object against the Kubernetes schemas (1.30 and the newest bundled)."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

import kubernetes_validate
import kubernetes_validate.utils
import pytest
import yaml
from kubernetes_validate.utils import latest_version

from .chart import lint, render, rendered_manifests, user_values
from .variants import Variant, variant_params

KUBE_VERSIONS = ("1.30.0", latest_version())


@pytest.fixture(scope="module", autouse=True)
def schemas_loaded_once() -> Iterator[None]:
    """kubernetes-validate re-reads its (large, immutable) schema files for every object; read each once."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            kubernetes_validate.utils,
            "schema_contents",
            functools.cache(kubernetes_validate.utils.schema_contents),
        )
        yield


@pytest.mark.parametrize("variant", variant_params())
@pytest.mark.parametrize("kube_version", KUBE_VERSIONS)
def test_helm_lint_strict_reports_no_error_or_warning(variant: Variant, kube_version: str) -> None:
    report = lint(user_values(variant.values_file, *variant.sets), kube_version=f"v{kube_version}")
    assert report["errors"] == []
    problems = [m for m in report["messages"] if m["severity"] >= 2]
    assert problems == []


def test_helm_lint_fails_on_values_the_schema_refuses() -> None:
    report = lint(user_values(extra={"backend": {"replicas": "two"}}), kube_version="v1.30.0")
    assert report["errors"], report


@pytest.mark.parametrize("variant", variant_params())
@pytest.mark.parametrize("kube_version", KUBE_VERSIONS)
def test_every_object_is_valid_for_kubernetes_strictly(variant: Variant, kube_version: str) -> None:
    rendered = render(user_values(variant.values_file, *variant.sets))
    assert rendered.objects
    for obj in rendered.objects:
        name = f"{obj['kind']}/{obj['metadata']['name']}"
        try:
            kubernetes_validate.validate(obj, kube_version, strict=True)
        except kubernetes_validate.ValidationError as error:
            pytest.fail(
                f"{name} is invalid for Kubernetes {kube_version}: {error.message} at {list(error.path)}"
            )


def test_strict_validation_catches_an_unknown_field() -> None:
    deployment = next(o for o in render().objects if o["kind"] == "Deployment")
    deployment["spec"]["template"]["spec"]["containers"][0]["livenessProbes"] = {}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, KUBE_VERSIONS[0], strict=True)


class _UniqueKeyLoader(yaml.SafeLoader):
    """A YAML loader that refuses a mapping that names a key twice (kubectl, kubeconform and Argo CD refuse
    such a manifest; Helm keeps the last value silently)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"key {key!r} repeated", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


@pytest.mark.parametrize("variant", variant_params())
def test_no_manifest_names_a_key_twice(variant: Variant) -> None:
    for source, text in rendered_manifests(user_values(variant.values_file, *variant.sets)).items():
        try:
            list(yaml.load_all(text, Loader=_UniqueKeyLoader))
        except yaml.constructor.ConstructorError as error:
            pytest.fail(f"{source}: {error}")


def test_the_repeated_key_check_finds_a_repeated_key() -> None:
    with pytest.raises(yaml.constructor.ConstructorError, match="repeated"):
        yaml.load("spec:\n  a: 1\n  a: 2\n", Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader
