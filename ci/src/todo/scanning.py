"""Trivy: the images (vulnerabilities), the Dockerfiles and the chart (misconfigurations).

A target fails on HIGH/CRITICAL findings that have a fix. Each scan writes Trivy's JSON report, converted to
SARIF for GitHub code scanning and to a table for people.
"""

import json
from dataclasses import dataclass
from typing import Any, Final

import dagger
from dagger import dag

from .versions import TRIVY_IMAGE

SEVERITIES: Final = "HIGH,CRITICAL"
FINDINGS_EXIT_CODE: Final = 1
SCAN_DIR: Final = "/scan"
REPORT_DIR: Final = "/reports"
SARIF_FILE: Final = "trivy.sarif"
SUMMARY_FILE: Final = "trivy.txt"


@dataclass(frozen=True)
class ScanTarget:
    name: str
    """Report name, e.g. `image-todo-backend` or `config-dockerfiles`."""
    kind: str
    """`image` (vulnerabilities of an OCI tarball) or `config` (misconfigurations of a directory)."""

    @property
    def json_report(self) -> str:
        return f"{REPORT_DIR}/{self.name}.json"

    @property
    def sarif_report(self) -> str:
        return f"{REPORT_DIR}/{self.name}.sarif"


def scan_args(target: ScanTarget) -> list[str]:
    """The Trivy command line for one target (the input is mounted under /scan)."""
    common = ["--severity", SEVERITIES, "--exit-code", str(FINDINGS_EXIT_CODE)]
    output = ["--format", "json", "--output", target.json_report]
    if target.kind == "image":
        return [
            "trivy",
            "image",
            "--input",
            f"{SCAN_DIR}/image.tar",
            "--scanners",
            "vuln",
            "--ignore-unfixed",
            *common,
            *output,
        ]
    if target.kind == "config":
        return ["trivy", "config", *common, *output, SCAN_DIR]
    msg = f"unknown scan kind {target.kind!r}"
    raise ValueError(msg)


def trivy(scan_day: str) -> dagger.Container:
    """Trivy with its database cached across runs; `scan_day` (UTC date) makes the engine re-scan daily."""
    return (
        dag.container()
        .from_(TRIVY_IMAGE)
        .with_mounted_cache("/root/.cache/trivy", dag.cache_volume("todo-trivy"))
        .with_env_variable("TRIVY_NO_PROGRESS", "true")
        .with_env_variable("TODO_SCAN_DAY", scan_day)
        .with_exec(["mkdir", "-p", REPORT_DIR])
    )


def scan_image(image: dagger.Container, target: ScanTarget, scan_day: str) -> dagger.Container:
    return (
        trivy(scan_day)
        .with_mounted_file(f"{SCAN_DIR}/image.tar", image.as_tarball())
        .with_exec(scan_args(target), expect=dagger.ReturnType.ANY)
    )


def scan_config(directory: dagger.Directory, target: ScanTarget, scan_day: str) -> dagger.Container:
    return (
        trivy(scan_day)
        .with_mounted_directory(SCAN_DIR, directory)
        .with_exec(scan_args(target), expect=dagger.ReturnType.ANY)
    )


def sarif_args(target: ScanTarget) -> list[str]:
    return ["trivy", "convert", "--format", "sarif", "--output", target.sarif_report, target.json_report]


def table_args(target: ScanTarget) -> list[str]:
    return ["trivy", "convert", "--format", "table", target.json_report]


def to_sarif(scanned: dagger.Container, target: ScanTarget) -> dagger.File:
    return scanned.with_exec(sarif_args(target)).file(target.sarif_report)


def to_table(scanned: dagger.Container, target: ScanTarget) -> dagger.Container:
    return scanned.with_exec(table_args(target))


@dataclass(frozen=True)
class ScanResult:
    target: ScanTarget
    exit_code: int
    table: str
    sarif: str

    @property
    def status(self) -> str:
        if self.exit_code == 0:
            return "passed"
        if self.exit_code == FINDINGS_EXIT_CODE:
            return "FAILED: fixable HIGH/CRITICAL findings"
        return f"ERROR: trivy exited with {self.exit_code}"


async def run_scan(scanned: dagger.Container, target: ScanTarget) -> ScanResult:
    code = await scanned.exit_code()
    try:
        table = await to_table(scanned, target).stdout()
        sarif = await to_sarif(scanned, target).contents()
    except dagger.ExecError as e:
        # No JSON report: Trivy itself failed (e.g. its database could not be downloaded).
        output = await scanned.combined_output()
        return ScanResult(target, code if code != 0 else 2, f"{output}\n{e.stderr}", "")
    return ScanResult(target, code, table, sarif)


def merge_sarif(results: list[ScanResult]) -> str:
    """One SARIF log with a run per target, each with its own category for GitHub code scanning."""
    runs: list[dict[str, Any]] = []
    version = "2.1.0"
    schema = "https://json.schemastore.org/sarif-2.1.0.json"
    for result in results:
        if not result.sarif:
            continue
        log = json.loads(result.sarif)
        version, schema = log.get("version", version), log.get("$schema", schema)
        for run in log.get("runs", []):
            run["automationDetails"] = {"id": f"trivy/{result.target.name}/"}
            runs.append(run)
    return json.dumps({"version": version, "$schema": schema, "runs": runs}, indent=2)


def summary(results: list[ScanResult]) -> str:
    lines = [f"{r.target.name}: {r.status}" for r in results]
    details = [f"===== {r.target.name} =====\n{r.table}" for r in results if r.exit_code != 0]
    return "\n".join([*lines, *details])
