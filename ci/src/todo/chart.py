"""The Helm chart: `helm lint` and a render per values file, validated against Kubernetes' schemas."""

from typing import Final

import dagger
from dagger import dag

from .versions import HELM_IMAGE, KUBECONFORM_IMAGE, KUBERNETES_SCHEMA_VERSIONS

CHART_PATH: Final = "charts/todo"
CHART_DIR: Final = "/chart"
RENDER_DIR: Final = "/rendered"
RELEASE: Final = "todo"
NAMESPACE: Final = "todo"


def helm(chart: dagger.Directory) -> dagger.Container:
    return dag.container().from_(HELM_IMAGE).with_directory(CHART_DIR, chart).with_workdir(CHART_DIR)


def lint_args(values_file: str) -> list[str]:
    return ["helm", "lint", CHART_DIR, "--strict", "--values", f"{CHART_DIR}/{values_file}"]


def template_args(values_file: str) -> list[str]:
    return [
        "helm",
        "template",
        RELEASE,
        CHART_DIR,
        "--namespace",
        NAMESPACE,
        "--values",
        f"{CHART_DIR}/{values_file}",
    ]


def rendered_name(values_file: str) -> str:
    return values_file.removesuffix(".yaml") + ".rendered.yaml"


def lint_and_render(chart: dagger.Directory, values_files: list[str]) -> dagger.Container:
    """Lints with each values file and renders each into /rendered; fails on the first problem."""
    if not values_files:
        msg = f"no values*.yaml files found in {CHART_PATH}"
        raise ValueError(msg)
    ctr = helm(chart).with_exec(["mkdir", "-p", RENDER_DIR])
    for values_file in values_files:
        ctr = ctr.with_exec(lint_args(values_file)).with_exec(
            template_args(values_file), redirect_stdout=f"{RENDER_DIR}/{rendered_name(values_file)}"
        )
    return ctr


def kubeconform_args(kubernetes_version: str) -> list[str]:
    """Flags for kubeconform's entrypoint: every manifest needs a schema and may have no unknown field."""
    return ["-strict", "-summary", "-output", "text", "-kubernetes-version", kubernetes_version, RENDER_DIR]


def validate(rendered: dagger.Directory) -> list[dagger.Container]:
    """One kubeconform run per Kubernetes version (the chart's minimum and the newest)."""
    return [
        dag.container()
        .from_(KUBECONFORM_IMAGE)
        .with_mounted_directory(RENDER_DIR, rendered)
        .with_exec(kubeconform_args(version), use_entrypoint=True)
        for version in KUBERNETES_SCHEMA_VERSIONS
    ]
