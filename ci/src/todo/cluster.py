"""Deploying the chart: a throwaway k3s cluster inside the engine, or the user's Minikube.

k3s: a `registry:2` service receives the freshly built images (pushed with skopeo from their OCI tarballs);
the k3s server (privileged, as k3s needs) pulls them through a registries.yaml mirror for `registry:5000`.
The server writes its kubeconfig into a cache volume that the Helm container reads; Helm reaches the API
server at https://k3s:6443 (a SAN of the server certificate through --tls-san).

Minikube: the kubeconfig comes in as a Secret and the API server as a Service (`tcp://$(minikube ip):8443`)
bound as `kubernetes`, a name in Minikube's API server certificate. Images are loaded into the node's Docker
(docker driver, docker runtime) through the host's Docker socket, as `minikube image load` does.
"""

import re
import textwrap
from typing import Final

import dagger
from dagger import dag

from . import k8s_suite
from .chart import CHART_DIR
from .images import docker_archive
from .pull import pull
from .versions import DOCKER_CLI_IMAGE, HELM_IMAGE, K3S_IMAGE, REGISTRY_IMAGE, SKOPEO_IMAGE

REGISTRY_HOST: Final = "registry"
REGISTRY_ADDRESS: Final = f"{REGISTRY_HOST}:5000"
K3S_HOST: Final = "k3s"
K3S_API: Final = f"https://{K3S_HOST}:6443"
KUBE_API_ALIAS: Final = "kubernetes"
KUBECONFIG_DIR: Final = "/k3s-output"
KUBECONFIG_PATH: Final = f"{KUBECONFIG_DIR}/kubeconfig.yaml"
KUBECONFIG_MOUNT: Final = "/run/secrets/kubeconfig"
VALUES_FILE: Final = "values-minikube.yaml"
# The caller's own values (`deploy --values`), layered over VALUES_FILE and the image settings.
EXTRA_VALUES: Final = "/etc/todo/extra-values.yaml"
HELM_TIMEOUT: Final = "10m"
REGISTRIES_YAML: Final = textwrap.dedent(f"""\
    mirrors:
      "{REGISTRY_ADDRESS}":
        endpoint:
          - "http://{REGISTRY_ADDRESS}"
    """)
EVICTION_HARD: Final = ",".join(
    f"{signal}<{threshold}"
    for signal, threshold in (
        ("memory.available", "100Mi"),
        ("nodefs.available", "1%"),
        ("nodefs.inodesFree", "1%"),
        ("imagefs.available", "1%"),
        ("imagefs.inodesFree", "1%"),
    )
)
_PROFILE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,62}")
_K8S_NAME = re.compile(r"[a-z0-9]([-a-z0-9]{0,51}[a-z0-9])?")


def validate_k8s_name(kind: str, name: str) -> str:
    if not _K8S_NAME.fullmatch(name):
        msg = f"invalid {kind} {name!r}: lower-case letters, digits and '-', at most 53 characters"
        raise ValueError(msg)
    return name


def validate_profile(profile: str) -> str:
    if not _PROFILE.fullmatch(profile):
        msg = f"invalid Minikube profile {profile!r}"
        raise ValueError(msg)
    return profile


def registry_service(*, mirror: str = "") -> dagger.Service:
    return pull(REGISTRY_IMAGE, mirror).with_exposed_port(5000).as_service(use_entrypoint=True)


def push_to_registry(
    image: dagger.Container, ref: str, registry: dagger.Service, run_id: str, *, mirror: str = ""
) -> dagger.Container:
    """Copies the image into the in-engine registry as `registry:5000/<ref>` (plain HTTP, engine-internal)."""
    return (
        pull(SKOPEO_IMAGE, mirror)
        .with_service_binding(REGISTRY_HOST, registry)
        .with_mounted_file("/image.tar", image.as_tarball())
        .with_env_variable("TODO_RUN_ID", run_id)
        .with_exec(
            [
                "skopeo",
                "copy",
                "--dest-tls-verify=false",
                "oci-archive:/image.tar",
                f"docker://{REGISTRY_ADDRESS}/{ref}",
            ]
        )
    )


def k3s_server_args() -> list[str]:
    return [
        "k3s",
        "server",
        "--disable=traefik",
        # metrics-server stays (k3s pulls its bundled image): k8s-tests' HPA test needs the metrics API.
        # The API server reaches kubelets directly (logs, exec) instead of through k3s's tunnel.
        "--egress-selector-mode=disabled",
        # The kubelet's default eviction thresholds (imagefs.available<15%) taint the node on a CI runner
        # whose disk is 70-85 % full (GitHub's hosted runners); the cluster lives minutes: evict only when
        # the disk or the memory is nearly exhausted.
        f"--kubelet-arg=eviction-hard={EVICTION_HARD}",
        f"--tls-san={K3S_HOST}",
        "--private-registry=/etc/todo/registries.yaml",
        f"--write-kubeconfig={KUBECONFIG_PATH}",
        "--write-kubeconfig-mode=0644",
    ]


def k3s_server(
    registry: dagger.Service, kubeconfig: dagger.CacheVolume, *, mirror: str = ""
) -> dagger.Service:
    """A fresh single-node k3s (state wiped at start; the LOCKED state volume serialises deploys).

    k3s runs as PID 1 (no init process, `exec`): only then does it move itself into a nested cgroup (v2)
    so that the kubelet can create pod cgroups. The kubelet and CNI state live on tmpfs.
    """
    start = f'rm -rf /var/lib/rancher/k3s/* {KUBECONFIG_PATH} && exec "$@"'
    return (
        pull(K3S_IMAGE, mirror)
        .with_new_file("/etc/todo/registries.yaml", REGISTRIES_YAML)
        .with_mounted_cache(
            "/var/lib/rancher/k3s", dag.cache_volume("todo-k3s-state"), sharing=dagger.CacheSharingMode.LOCKED
        )
        .with_mounted_cache(KUBECONFIG_DIR, kubeconfig)
        .with_mounted_temp("/run")
        .with_mounted_temp("/var/run")
        .with_mounted_temp("/var/lib/kubelet")
        .with_mounted_temp("/var/lib/cni")
        .with_mounted_temp("/var/log")
        .with_service_binding(REGISTRY_HOST, registry)
        .with_exposed_port(6443)
        .as_service(
            args=["sh", "-c", start, "k3s-server", *k3s_server_args()],
            insecure_root_capabilities=True,
            no_init=True,
        )
    )


def helm_values_args(registry: str, tag: str) -> list[str]:
    return [
        "--values",
        f"{CHART_DIR}/{VALUES_FILE}",
        "--set",
        f"global.image.registry={registry}",
        "--set",
        f"global.image.tag={tag}",
    ]


def upgrade_args(
    release: str, namespace: str, registry: str, tag: str, *, extra_values: bool = False
) -> list[str]:
    """Install or upgrade, wait for every workload, roll back to the previous release if that fails."""
    return [
        "helm",
        "upgrade",
        "--install",
        release,
        CHART_DIR,
        "--namespace",
        namespace,
        "--create-namespace",
        *helm_values_args(registry, tag),
        *(["--values", EXTRA_VALUES] if extra_values else []),
        "--wait",
        "--rollback-on-failure",
        "--timeout",
        HELM_TIMEOUT,
    ]


def test_args(release: str, namespace: str) -> list[str]:
    return ["helm", "test", release, "--namespace", namespace, "--logs", "--timeout", "5m"]


def helm_on_k3s(
    chart: dagger.Directory,
    kubeconfig: dagger.CacheVolume,
    server: dagger.Service,
    run_id: str,
    *,
    mirror: str = "",
) -> dagger.Container:
    """Helm talking to the k3s service; waits for its kubeconfig and a first answer of the API server.

    run_id (unique per deploy) keeps the engine from reusing the result of an earlier run of these commands.
    """
    wait = (
        f"for _ in $(seq 180); do [ -s {KUBECONFIG_PATH} ] && helm list -A >/dev/null 2>&1 && exit 0;"
        " sleep 1; done;"
        " echo 'k3s API server not ready after 180 s' >&2; exit 1"
    )
    return (
        pull(HELM_IMAGE, mirror)
        .with_directory(CHART_DIR, chart)
        .with_mounted_cache(KUBECONFIG_DIR, kubeconfig)
        .with_service_binding(K3S_HOST, server)
        .with_env_variable("KUBECONFIG", KUBECONFIG_PATH)
        .with_env_variable("HELM_KUBEAPISERVER", K3S_API)
        .with_env_variable("TODO_RUN_ID", run_id)
        .with_exec(["sh", "-c", wait])
    )


def helm_on_minikube(
    chart: dagger.Directory,
    kubeconfig: dagger.Secret,
    kube_api: dagger.Service,
    port: int,
    run_id: str,
    *,
    mirror: str = "",
) -> dagger.Container:
    return (
        pull(HELM_IMAGE, mirror)
        .with_directory(CHART_DIR, chart)
        .with_mounted_secret(KUBECONFIG_MOUNT, kubeconfig)
        .with_service_binding(KUBE_API_ALIAS, kube_api)
        .with_env_variable("KUBECONFIG", KUBECONFIG_MOUNT)
        .with_env_variable("HELM_KUBEAPISERVER", f"https://{KUBE_API_ALIAS}:{port}")
        .with_env_variable("TODO_RUN_ID", run_id)
    )


def release_and_test(
    helm: dagger.Container,
    *,
    release: str,
    namespace: str,
    registry: str,
    tag: str,
    values: dagger.File | None = None,
) -> dagger.Container:
    """`helm upgrade --install`, then `helm test`, whose logs are the output."""
    if values is not None:
        helm = helm.with_file(EXTRA_VALUES, values)
    upgrade = upgrade_args(release, namespace, registry, tag, extra_values=values is not None)
    return helm.with_exec(upgrade).with_exec(test_args(release, namespace))


def load_into_docker(
    image: dagger.Container,
    ref: str,
    docker: dagger.Socket,
    run_id: str,
    extra_refs: tuple[str, ...] = (),
    *,
    node: str = "",
    mirror: str = "",
) -> dagger.Container:
    """`docker load` into the Docker engine behind `docker` (or, with `node`, the engine inside that node
    container, as in Minikube), then tag the loaded image as `ref`, `extra_refs`."""
    script = (
        'set -eu; engine() { if [ -n "$NODE" ]; then docker exec -i "$NODE" docker "$@";'
        ' else docker "$@"; fi; };'
        ' out=$(engine load < /image.tar); echo "$out";'
        " loaded=$(echo \"$out\" | sed -n 's/^Loaded image ID: //p; s/^Loaded image: //p' | tail -n 1);"
        ' [ -n "$loaded" ] || { echo "docker load reported no image" >&2; exit 1; };'
        ' for ref in "$REF" ${EXTRA_REFS:-}; do engine tag "$loaded" "$ref"; done'
    )
    return (
        pull(DOCKER_CLI_IMAGE, mirror)
        .with_unix_socket("/var/run/docker.sock", docker)
        .with_mounted_file("/image.tar", docker_archive(image))
        .with_env_variable("NODE", validate_profile(node) if node else "")
        .with_env_variable("REF", ref)
        .with_env_variable("EXTRA_REFS", " ".join(extra_refs))
        .with_env_variable("TODO_RUN_ID", run_id)
        .with_exec(["sh", "-c", script])
    )


def suite_on_k3s(
    source: dagger.Directory,
    kubeconfig: dagger.CacheVolume,
    server: dagger.Service,
    tag: str,
    run_id: str,
    *,
    values: dagger.File | None = None,
    mirror: str = "",
) -> dagger.Container:
    """k8s-tests against the k3s service: its kubeconfig (from the cache volume) rewritten to https://k3s:6443;
    the chart installed with the images of the in-engine registry."""
    access = k8s_suite.ClusterAccess(kubeconfig=KUBECONFIG_PATH, server=K3S_API)
    return k8s_suite.run(
        k8s_suite.suite_container(
            source, access, registry=REGISTRY_ADDRESS, tag=tag, run_id=run_id, values=values, mirror=mirror
        )
        .with_mounted_cache(KUBECONFIG_DIR, kubeconfig)
        .with_service_binding(K3S_HOST, server)
    )


def suite_on_minikube(
    source: dagger.Directory,
    kubeconfig: dagger.Secret,
    kube_api: dagger.Service,
    port: int,
    tag: str,
    run_id: str,
    *,
    values: dagger.File | None = None,
    mirror: str = "",
) -> dagger.Container:
    """k8s-tests against Minikube: the kubeconfig Secret and the API server bound as `kubernetes`, as for
    Helm; the chart installed with the images loaded into the node (no registry)."""
    access = k8s_suite.ClusterAccess(kubeconfig=KUBECONFIG_MOUNT, server=f"https://{KUBE_API_ALIAS}:{port}")
    return k8s_suite.run(
        k8s_suite.suite_container(
            source, access, registry="", tag=tag, run_id=run_id, values=values, mirror=mirror
        )
        .with_mounted_secret(KUBECONFIG_MOUNT, kubeconfig)
        .with_service_binding(KUBE_API_ALIAS, kube_api)
    )
