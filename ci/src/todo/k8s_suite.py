"""The live-cluster suite (k8s-tests, `scripts/test k8s`) against the cluster `deploy` just installed to.

It runs in the Python toolchain of the other suites (without their Debian packages, so the run id that makes
every deploy a new run for the engine precedes the first exec), with the repository at /src and the
`kubectl` and `helm` binaries copied in from their pinned images. The suite installs the chart again, in a
fresh namespace of its own, and proves rollouts, rollback, self-healing, NetworkPolicies and scaling
(k8s-tests/README.md).

The cluster's kubeconfig names an API server address that only its own machine reaches (k3s: 127.0.0.1;
Minikube: its IP). kubectl, unlike Helm, reads no HELM_KUBEAPISERVER, so the container rewrites the server
of a private copy (on tmpfs: a Minikube kubeconfig holds credentials) to the name the API server is bound
as. TODO_K8S_REQUIRED=1 turns every missing prerequisite (cluster, helm, second tag, metrics API) into a
failure: a broken connection must never pass as a skipped suite.
"""

import re
import textwrap
from dataclasses import dataclass
from typing import Final

import dagger
from dagger import dag

from . import suites
from .images import validate_tag
from .pull import pull
from .versions import HELM_IMAGE, KUBECTL_IMAGE

SUITE: Final = "k8s"
# Where the binaries are inside their images (registry.k8s.io/kubectl is distroless; alpine/helm installs the
# release binary as /usr/bin/helm). Both are static Go binaries, so they run on the Debian toolchain.
KUBECTL_IN_IMAGE: Final = "/bin/kubectl"
HELM_IN_IMAGE: Final = "/usr/bin/helm"
BIN_DIR: Final = "/usr/local/bin"
PRIVATE_DIR: Final = "/run/todo-k8s"
KUBECONFIG: Final = f"{PRIVATE_DIR}/kubeconfig"
VALUES_DIR: Final = "/etc/todo-k8s"
VALUES_FILE: Final = "values.yaml"
EXTRA_VALUES_FILE: Final = "extra-values.yaml"
NEXT_TAG_SUFFIX: Final = "-next"
# Copy the cluster's kubeconfig, point every cluster in it at the bound API server, then run the suite.
# (An assignment, unlike a `for` list, passes a failed command substitution on to `set -e`.)
RUN_SCRIPT: Final = (
    'set -eu; cp "$CLUSTER_KUBECONFIG" "$KUBECONFIG";'
    " clusters=$(kubectl config view -o jsonpath='{.clusters[*].name}');"
    ' [ -n "$clusters" ] || { echo "no cluster in $CLUSTER_KUBECONFIG" >&2; exit 1; };'
    ' for cluster in $clusters; do kubectl config set-cluster "$cluster" --server="$KUBE_SERVER" >/dev/null;'
    f" done; exec scripts/test {SUITE}"
)
_FAILED = re.compile(r"^(?:FAILED|ERROR) \S+")


def next_tag(tag: str) -> str:
    """The second tag of the same images, for the rolling-upgrade test (`helm upgrade` to a new image tag)."""
    return validate_tag(f"{tag}{NEXT_TAG_SUFFIX}")


def registry_values(registry: str) -> str:
    """The extra values file the suite installs with (TODO_K8S_VALUES): where the cluster finds the images."""
    return textwrap.dedent(f"""\
        # Written by `dagger call deploy`: the registry the cluster pulls the project's images from.
        global:
          image:
            registry: "{registry}"
        """)


@dataclass(frozen=True)
class ClusterAccess:
    """How the suite container reaches the cluster: a kubeconfig mounted at `kubeconfig`, and the API server
    bound as a service, reached at `server`."""

    kubeconfig: str
    server: str


def suite_container(
    source: dagger.Directory,
    access: ClusterAccess,
    *,
    registry: str,
    tag: str,
    run_id: str,
    values: dagger.File | None = None,
    mirror: str = "",
) -> dagger.Container:
    """The toolchain with kubectl, helm and the suite's settings; the caller mounts the kubeconfig and binds
    the API server, then calls `run`."""
    values_file = dag.directory().with_new_file(VALUES_FILE, registry_values(registry)).file(VALUES_FILE)
    values_paths = [f"{VALUES_DIR}/{VALUES_FILE}"]
    ctr = (
        suites.plain_python_toolchain(source, mirror=mirror)
        .with_env_variable("TODO_RUN_ID", run_id)
        .with_file(f"{BIN_DIR}/kubectl", pull(KUBECTL_IMAGE, mirror).file(KUBECTL_IN_IMAGE))
        .with_file(f"{BIN_DIR}/helm", pull(HELM_IMAGE, mirror).file(HELM_IN_IMAGE))
        .with_file(f"{VALUES_DIR}/{VALUES_FILE}", values_file)
        .with_mounted_temp(PRIVATE_DIR)
        .with_env_variable("CLUSTER_KUBECONFIG", access.kubeconfig)
        .with_env_variable("KUBE_SERVER", access.server)
        .with_env_variable("KUBECONFIG", KUBECONFIG)
        .with_env_variable("TODO_K8S_IMAGE_TAG", validate_tag(tag))
        .with_env_variable("TODO_K8S_NEXT_IMAGE_TAG", next_tag(tag))
        .with_env_variable("TODO_K8S_REQUIRED", "1")
    )
    if values is not None:
        ctr = ctr.with_file(f"{VALUES_DIR}/{EXTRA_VALUES_FILE}", values)
        values_paths.append(f"{VALUES_DIR}/{EXTRA_VALUES_FILE}")
    return ctr.with_env_variable("TODO_K8S_VALUES", ":".join(values_paths))


def run(ctr: dagger.Container) -> dagger.Container:
    """`scripts/test k8s`, run to completion whatever its exit code (`outcome` reads code and output)."""
    return ctr.with_exec(["sh", "-c", RUN_SCRIPT], expect=dagger.ReturnType.ANY)


def failed_tests(output: str) -> list[str]:
    """pytest's short summary lines (`FAILED k8s-tests/...::test_x - reason`, `ERROR ...`), in order."""
    return [line for line in output.splitlines() if _FAILED.match(line)]


def failure_report(exit_code: int, output: str) -> str:
    """The error `deploy` fails with: the failed tests first, then the whole output of the suite."""
    failed = failed_tests(output)
    names = "\n".join(failed) if failed else "(no failed test reported: see the output below)"
    return (
        f"k8s-tests failed (exit code {exit_code}) against the deployed cluster:\n{names}\n\n"
        f"===== output of scripts/test {SUITE} =====\n{output}"
    )


async def outcome(ran: dagger.Container) -> str:
    """The suite's output; raises with the failed tests when it did not pass."""
    exit_code = await ran.exit_code()
    output = await ran.combined_output()
    if exit_code != 0:
        raise RuntimeError(failure_report(exit_code, output))
    return output
