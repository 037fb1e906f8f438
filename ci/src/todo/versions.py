"""Every image and tool version the pipeline uses: the one place to update them.

How to update an image pinned by digest (the Trivy image MUST stay pinned by digest: releases 0.69.4-0.69.6
were hijacked in March 2026, CVE-2026-33634):
    docker pull aquasec/trivy:<version>
    docker inspect --format '{{index .RepoDigests 0}}' aquasec/trivy:<version>
then replace the whole reference below (tag AND digest: the engine pulls by digest, the tag is for humans).
Check the release notes and the signature first (`cosign verify` against Aqua's GitHub OIDC identity).
"""

from typing import Final

# Dagger engine and Python SDK: the CLI, dagger.json's engineVersion, the GitHub Action's `version` and the
# root `delivery` dependency group (dagger-io==...) all use this version.
DAGGER_VERSION: Final = "0.21.8"

# The service images' base images: the Dockerfiles' default PYTHON_IMAGE and NODE_IMAGE build args.
PYTHON_BASE_IMAGE: Final = "python:3.12.12-slim-bookworm"
NODE_BASE_IMAGE: Final = "node:24.13.0-bookworm-slim"

# Test toolchains. Python as the CI machines (3.11), also the module's own runtime (ci/pyproject.toml's
# [tool.dagger] base-image); Node as the frontend image.
PYTHON_TOOLCHAIN_IMAGE: Final = "python:3.11.14-slim-bookworm"
NODE_TOOLCHAIN_IMAGE: Final = NODE_BASE_IMAGE
# The database the Python and browser tests run against, same major as the chart's bundled PostgreSQL.
POSTGRES_IMAGE: Final = "postgres:17.6-bookworm"

# Trivy 0.69.3, signed before the March 2026 compromise; digest of the multi-arch index, as pinned by
# dagger/dagger#12026 and future-architect/vuls#2489.
TRIVY_IMAGE: Final = (
    "aquasec/trivy:0.69.3@sha256:bcc376de8d77cfe086a917230e818dc9f8528e3c852f7b1aff648949b6258d1c"
)

# Helm 4 (the chart is tested offline with Helm 4.2's engine through helm-python-sdk).
HELM_IMAGE: Final = (
    "alpine/helm:4.2.2@sha256:ee6fe3e96d9f8ea8dd1af9ecd7bbb3e233616a25f145392376f020fd2a51eb33"
)
# kubectl for the live-cluster suite (k8s-tests) of `deploy`: its binary is /bin/kubectl in this distroless
# image. Same minor as the k3s cluster below (kubectl supports one minor of skew either way).
KUBECTL_IMAGE: Final = "registry.k8s.io/kubectl:v1.34.1"
# kubeconform validates the rendered chart against Kubernetes' JSON schemas.
KUBECONFORM_IMAGE: Final = "ghcr.io/yannh/kubeconform:v0.7.0"
# Kubernetes versions the rendered manifests are validated against: the chart's minimum and the newest.
KUBERNETES_SCHEMA_VERSIONS: Final = ("1.30.0", "master")

# The throwaway cluster of `deploy --env k3s` and the registry that serves it the freshly built images.
K3S_IMAGE: Final = "rancher/k3s:v1.34.1-k3s1"
REGISTRY_IMAGE: Final = "registry:2.8.3"
SKOPEO_IMAGE: Final = "quay.io/skopeo/stable:v1.20.0"
# Docker CLI used to load images into Minikube's node (docker driver, docker runtime).
DOCKER_CLI_IMAGE: Final = "docker:28.5.1-cli"
# The Docker engine the container suite runs the images in (a service of its own, plain TCP inside Dagger).
DIND_IMAGE: Final = "docker:28.5.1-dind"
