"""The images the pipeline builds (charts/todo/components.yaml) are the ones the chart deploys; what
cannot read the catalog (Markdown, Dockerfiles, values.yaml defaults, pinned versions) agrees with it.

Reads the real files: charts/todo (rendered with Helm's engine via helm-python-sdk, with the values file and
`--set` flags `deploy` passes), the Dockerfiles, docs/architecture.md, dagger.json.
"""

import copy
import json
import re
import subprocess
import sys
from collections.abc import Mapping
from importlib.metadata import version
from pathlib import Path
from typing import Any

import helm_python as helm
import pytest
import yaml
from dagger_chains import SERVICES
from todo import cluster, main, suites, versions
from todo.catalog import ServiceSpec
from todo.chart import CHART_PATH

ROOT = Path(__file__).resolve().parents[2]
CHART = ROOT / CHART_PATH
Obj = dict[str, Any]


def need(path: Path) -> Path:
    assert path.exists(), f"{path.relative_to(ROOT)} is missing"
    return path


def merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> Obj:
    merged: Obj = copy.deepcopy(dict(base))
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def deploy_values(registry: str, tag: str) -> Obj:
    """The values `deploy` gives Helm: its values file, then its `--set` expressions, in order."""
    argv = cluster.helm_values_args(registry, tag)
    values_file = argv[argv.index("--values") + 1].removeprefix("/chart/")
    values: Obj = yaml.safe_load((need(CHART) / values_file).read_text()) or {}
    for i, arg in enumerate(argv):
        if arg == "--set":
            values = merge(values, helm.parse_set_string(argv[i + 1]))
    return values


def render(values: Obj) -> list[Obj]:
    manifests = helm.Chart.load(need(CHART)).render(values, name="todo", namespace="todo", is_install=True)
    return [
        doc
        for source, text in sorted(manifests.items())
        if not source.endswith("NOTES.txt")
        for doc in yaml.safe_load_all(text)
        if doc
    ]


def of_component(objects: list[Obj], kind: str, spec: ServiceSpec) -> Obj:
    (found,) = [
        o
        for o in objects
        if o["kind"] == kind and o["metadata"]["labels"].get("app.kubernetes.io/component") == spec.name
    ]
    return found


def test_chart_values_name_the_images_the_pipeline_builds() -> None:
    values = yaml.safe_load((need(CHART) / "values.yaml").read_text())
    components = {
        key
        for key, value in values.items()
        if isinstance(value, dict) and "repository" in value.get("image", {})
    }
    assert components - {"postgresql"} == {s.values_key for s in SERVICES}
    for spec in SERVICES:
        assert values[spec.values_key]["image"]["repository"] == spec.image


@pytest.mark.parametrize(("registry", "tag"), [(cluster.REGISTRY_ADDRESS, "0123456789ab"), ("", "1.2.0")])
def test_deploy_values_make_the_chart_run_exactly_the_images_deploy_made_available(
    registry: str, tag: str
) -> None:
    objects = render(deploy_values(registry, tag))
    for spec in SERVICES:
        deployment = of_component(objects, "Deployment", spec)
        containers = deployment["spec"]["template"]["spec"]["containers"]
        expected = f"{registry}/{spec.image}:{tag}" if registry else f"{spec.image}:{tag}"
        assert containers[0]["image"] == expected


def test_the_architecture_docs_show_the_catalog_as_it_is() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "catalog_docs.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("spec", SERVICES, ids=lambda s: s.name)
def test_dockerfiles_declare_every_build_arg_the_pipeline_passes(spec: ServiceSpec) -> None:
    dockerfile = need(ROOT / spec.dockerfile).read_text()
    declared = set(re.findall(r"^ARG (\w+)", dockerfile, re.MULTILINE))
    assert {"VERSION", "REVISION", "SOURCE_URL", spec.base_image_arg, *spec.build_args()} <= declared


def test_test_toolchains_match_the_images_and_the_chart() -> None:
    frontend = need(ROOT / "services" / "frontend" / "Dockerfile").read_text()
    assert f"ARG NODE_IMAGE={versions.NODE_TOOLCHAIN_IMAGE}\n" in frontend
    postgres = yaml.safe_load((need(CHART) / "values.yaml").read_text())["postgresql"]["image"]
    assert f"{postgres['repository']}:{postgres['tag']}" == versions.POSTGRES_IMAGE


def test_dagger_engine_and_sdk_versions_agree() -> None:
    config = json.loads((ROOT / "dagger.json").read_text())
    assert config == {
        "name": "todo",
        "engineVersion": f"v{versions.DAGGER_VERSION}",
        "sdk": {"source": "python"},
        "source": "ci",
    }
    assert version("dagger-io") == versions.DAGGER_VERSION
    root = (ROOT / "pyproject.toml").read_text()
    assert f'"dagger-io=={versions.DAGGER_VERSION}"' in root


def test_the_module_runs_the_suites_scripts_test_defines() -> None:
    """One list of suites: each is a function of scripts/test that the module runs by name."""
    script = need(ROOT / "scripts" / "test").read_text()
    defined = set(re.findall(r"^run_(\w+)\(\) \{", script, re.MULTILINE))
    in_engine = {*suites.SUITES, main.CONTAINERS}
    assert in_engine <= defined
    # The rest drive the engine (ci), a cluster of the user's (k8s), or run beside ci (chart_pods).
    assert defined - in_engine == {"ci", "k8s", "chart_pods"}
