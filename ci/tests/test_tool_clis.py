"""The module's Helm command lines with a real Helm 4, and the workflow with actionlint, where installed.

Neither ships as a Python package: Helm is looked up as $HELM_BIN, on PATH, or where airgap/cluster builds
it (/var/cache/todo-k8s/bin/helm); actionlint as $ACTIONLINT_BIN or on PATH
(`go install github.com/rhysd/actionlint/cmd/actionlint@v1.7.12`). Without them these tests are skipped.
"""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from todo import chart, cluster

ROOT = Path(__file__).resolve().parents[2]
CHART = ROOT / chart.CHART_PATH


def tool(env_var: str, name: str, *extra: Path) -> str:
    for candidate in (os.environ.get(env_var), shutil.which(name), *map(str, extra)):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    pytest.skip(f"{name} not installed (set {env_var})")


def helm() -> str:
    binary = tool("HELM_BIN", "helm", Path("/var/cache/todo-k8s/bin/helm"))
    version = subprocess.run(
        [binary, "version", "--short"], capture_output=True, text=True, check=True
    ).stdout
    if not version.startswith("v4."):
        pytest.skip(f"the pipeline pins Helm 4, found {version.strip()}")
    return binary


def run_helm(argv: list[str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    assert argv[0] == "helm"
    mapped = [a.replace(chart.CHART_DIR, str(CHART)) for a in argv[1:]]
    env = {**os.environ, "HELM_CACHE_HOME": str(tmp_path), "HELM_CONFIG_HOME": str(tmp_path)}
    return subprocess.run(
        [helm(), *mapped], capture_output=True, text=True, timeout=120, check=False, env=env
    )


@pytest.mark.parametrize("values_file", sorted(p.name for p in CHART.glob("values*.yaml")))
def test_helm_lints_and_renders_the_chart_with_the_modules_command_lines(
    values_file: str, tmp_path: Path
) -> None:
    linted = run_helm(chart.lint_args(values_file), tmp_path)
    assert linted.returncode == 0, linted.stdout + linted.stderr
    rendered = run_helm(chart.template_args(values_file), tmp_path)
    assert rendered.returncode == 0, rendered.stderr
    assert "kind: Deployment" in rendered.stdout


def help_flags(*command: str, tmp_path: Path) -> set[str]:
    done = run_helm(["helm", *command, "--help"], tmp_path)
    assert done.returncode == 0, done.stderr
    return set(re.findall(r"--[a-z][a-z-]+", done.stdout))


def test_helm_accepts_every_deploy_flag(tmp_path: Path) -> None:
    upgrade = cluster.upgrade_args("todo", "todo", "registry:5000", "dev")
    assert {a.split("=")[0] for a in upgrade if a.startswith("--")} <= help_flags(
        "upgrade", tmp_path=tmp_path
    )
    test = cluster.test_args("todo", "todo")
    assert {a for a in test if a.startswith("--")} <= help_flags("test", tmp_path=tmp_path)
    assert {"--strict", "--values"} <= help_flags("lint", tmp_path=tmp_path)
    general = run_helm(["helm", "--help"], tmp_path).stdout
    assert "HELM_KUBEAPISERVER" in general


def test_the_workflow_passes_actionlint() -> None:
    actionlint = tool("ACTIONLINT_BIN", "actionlint")
    done = subprocess.run(
        [actionlint, str(ROOT / ".github" / "workflows" / "ci.yml")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
