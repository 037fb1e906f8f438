"""The Helm chart: `helm lint` and a render per values file, validated against Kubernetes' schemas."""

from typing import Final

import dagger

from .pull import pull
from .versions import HELM_IMAGE, KUBECONFORM_IMAGE, KUBERNETES_SCHEMA_VERSIONS

CHART_PATH: Final = "charts/todo"
CHART_DIR: Final = "/chart"
RENDER_DIR: Final = "/rendered"
SCHEMA_DIR: Final = "/schemas"
# kubeconform's own location template, under SCHEMA_DIR (the layout of yannh/kubernetes-json-schema).
SCHEMA_LOCATION: Final = (
    SCHEMA_DIR + "/{{ .NormalizedKubernetesVersion }}-standalone{{ .StrictSuffix }}"
    "/{{ .ResourceKind }}{{ .KindSuffix }}.json"
)
RELEASE: Final = "todo"
NAMESPACE: Final = "todo"


def helm(chart: dagger.Directory, *, mirror: str = "") -> dagger.Container:
    return pull(HELM_IMAGE, mirror).with_directory(CHART_DIR, chart).with_workdir(CHART_DIR)


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


def lint_and_render(
    chart: dagger.Directory, values_files: list[str], *, mirror: str = ""
) -> dagger.Container:
    """Lints with each values file and renders each into /rendered; fails on the first problem."""
    if not values_files:
        msg = f"no values*.yaml files found in {CHART_PATH}"
        raise ValueError(msg)
    ctr = helm(chart, mirror=mirror).with_exec(["mkdir", "-p", RENDER_DIR])
    for values_file in values_files:
        ctr = ctr.with_exec(lint_args(values_file)).with_exec(
            template_args(values_file), redirect_stdout=f"{RENDER_DIR}/{rendered_name(values_file)}"
        )
    return ctr


def kubeconform_args(kubernetes_version: str, *, local_schemas: bool = False) -> list[str]:
    """Flags for kubeconform's entrypoint: every manifest needs a schema and may have no unknown field.

    With local_schemas, the schemas come from SCHEMA_DIR instead of being downloaded.
    """
    location = ["-schema-location", SCHEMA_LOCATION] if local_schemas else []
    return [
        "-strict",
        "-summary",
        "-output",
        "text",
        *location,
        "-kubernetes-version",
        kubernetes_version,
        RENDER_DIR,
    ]


def validate(
    rendered: dagger.Directory, *, schemas: dagger.Directory | None = None, mirror: str = ""
) -> list[dagger.Container]:
    """One kubeconform run per Kubernetes version (the chart's minimum and the newest)."""
    runs = []
    for version in KUBERNETES_SCHEMA_VERSIONS:
        ctr = pull(KUBECONFORM_IMAGE, mirror).with_mounted_directory(RENDER_DIR, rendered)
        if schemas is not None:
            ctr = ctr.with_mounted_directory(SCHEMA_DIR, schemas)
        runs.append(
            ctr.with_exec(kubeconform_args(version, local_schemas=schemas is not None), use_entrypoint=True)
        )
    return runs
