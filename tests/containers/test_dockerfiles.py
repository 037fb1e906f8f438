"""The Dockerfiles themselves: lint-clean (hadolint), no HIGH/CRITICAL misconfiguration (Trivy), the three
Python services built by one recipe, and scripts/build-images building exactly the contract's images."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from todo_testing.catalog import REPO_ROOT, component, components

DOCKERFILES = {
    service: REPO_ROOT / "services" / service / "Dockerfile" for service in (c.name for c in components())
}


def venv_tool(name: str) -> str:
    """A tool installed in the project's venv (next to this interpreter), else on PATH."""
    candidate = Path(sys.executable).parent / name
    found = str(candidate) if candidate.exists() else shutil.which(name)
    assert found, f"{name} is not installed (uv sync --all-groups)"
    return found


@pytest.mark.parametrize("service", list(DOCKERFILES))
def test_hadolint_clean(service: str) -> None:
    result = subprocess.run(
        [venv_tool("hadolint"), str(DOCKERFILES[service])], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("service", list(DOCKERFILES))
def test_trivy_finds_no_high_or_critical_misconfiguration(service: str) -> None:
    result = subprocess.run(
        [venv_tool("trivy"), "config", "--skip-check-update", "--quiet", "--format", "json",
         "--severity", "HIGH,CRITICAL", str(DOCKERFILES[service].parent)],
        capture_output=True, text=True, check=True, timeout=300,
    )  # fmt: skip
    report = json.loads(result.stdout)
    scanned = [r for r in report.get("Results", []) if r["Target"] == "Dockerfile"]
    assert scanned, "trivy did not scan the Dockerfile"
    findings = [m["ID"] + " " + m["Title"] for r in scanned for m in r.get("Misconfigurations") or []]
    assert findings == []


def test_python_services_share_one_recipe() -> None:
    """The three Python Dockerfiles differ only in the service's own name, package, port and wording."""

    def normalized(service: str) -> list[str]:
        text = DOCKERFILES[service].read_text()
        text = text.replace(str(component(service).package), "<package>").replace(
            str(component(service).port), "<port>"
        )
        # Every service mounts every workspace member's pyproject.toml: those lines name all three.
        lines = [line for line in text.splitlines() if "pyproject.toml,target=" not in line]
        text = "\n".join(lines).replace(f"services/{service}", "services/<name>").replace(service, "<name>")
        return [line for line in text.splitlines() if not line.startswith("#") and "description=" not in line]

    assert normalized("backend") == normalized("mcp-server") == normalized("agent")


def test_build_script_builds_the_contract_images() -> None:
    script = (REPO_ROOT / "scripts" / "build-images").read_text()
    rows = re.findall(r'^\s+"(\S+)\s+(\S+)\s+(\S+)\s+(\S+)"$', script, flags=re.M)
    architecture = (REPO_ROOT / "docs" / "architecture.md").read_text()
    contract = re.findall(
        r"^\| (todo-[\w-]+) \| `(services/[\w-]+/Dockerfile)` \| repository root \|", architecture, re.M
    )
    assert sorted((image, dockerfile) for _, image, dockerfile, _ in rows) == sorted(contract)
    assert {service for service, *_ in rows} == {c.name for c in components()}
