"""Trivy: the images (vulnerabilities, misconfigurations, secrets), the Dockerfiles and the chart
(misconfigurations, secrets).

A target fails on HIGH/CRITICAL findings (vulnerabilities: those that have a fix). Each scan writes Trivy's
JSON report, converted to SARIF for GitHub code scanning and to a table for people. Findings exit with their
own code; anything else that stops Trivy (its database could not be downloaded, a bad flag) fails the exec,
so the engine never caches it and the error text is Trivy's own.
"""

import json
from dataclasses import dataclass
from typing import Any, Final

import dagger
from dagger import dag

from .pull import pull
from .versions import TRIVY_IMAGE

SEVERITIES: Final = "HIGH,CRITICAL"
# Not 1: Trivy exits with 1 on its own errors.
FINDINGS_EXIT_CODE: Final = 3
SCAN_DIR: Final = "/scan"
REPORT_DIR: Final = "/reports"
SARIF_FILE: Final = "trivy.sarif"
SUMMARY_FILE: Final = "trivy.txt"


@dataclass(frozen=True)
class ScanTarget:
    name: str
    """Report name, e.g. `image-todo-backend` or `config-dockerfiles`."""
    kind: str
    """`image` (an OCI tarball) or `config` (a directory: misconfigurations and secrets)."""
    vulnerabilities: bool = True
    """Image only: also look up vulnerabilities (needs Trivy's database, downloaded on first use)."""

    @property
    def json_report(self) -> str:
        return f"{REPORT_DIR}/{self.name}.json"

    @property
    def sarif_report(self) -> str:
        return f"{REPORT_DIR}/{self.name}.sarif"

    @property
    def exit_code_file(self) -> str:
        return f"{REPORT_DIR}/{self.name}.exit-code"


def scan_args(target: ScanTarget) -> list[str]:
    """The Trivy command line for one target (the input is mounted under /scan)."""
    common = ["--severity", SEVERITIES, "--exit-code", str(FINDINGS_EXIT_CODE)]
    output = ["--format", "json", "--output", target.json_report]
    if target.kind == "image":
        scanners = "vuln,misconfig,secret" if target.vulnerabilities else "misconfig,secret"
        fixed = ["--ignore-unfixed"] if target.vulnerabilities else []
        image = ["--input", f"{SCAN_DIR}/image.tar", "--scanners", scanners]
        return ["trivy", "image", *image, *fixed, *common, *output]
    if target.kind == "config":
        return ["trivy", "fs", "--scanners", "misconfig,secret", *common, *output, SCAN_DIR]
    msg = f"unknown scan kind {target.kind!r}"
    raise ValueError(msg)


# Runs Trivy ("$@"); a finding or a clean scan records the exit code and succeeds, any other code fails.
_RECORD_EXIT_CODE: Final = (
    'report="$1"; shift; trivy "$@"; code=$?;'
    f' case "$code" in 0|{FINDINGS_EXIT_CODE}) echo "$code" > "$report";; *) exit "$code";; esac'
)


def recorded(args: list[str], target: ScanTarget) -> list[str]:
    """`args` (a Trivy command line) run so that its exit code lands in the target's exit-code file."""
    return ["sh", "-c", _RECORD_EXIT_CODE, "trivy-scan", target.exit_code_file, *args[1:]]


def trivy(scan_day: str, *, mirror: str = "") -> dagger.Container:
    """Trivy with its database cached across runs; `scan_day` (UTC date) makes the engine re-scan daily.

    The cache is LOCKED: Trivy locks its database file and gives up after a few seconds, so parallel scans
    sharing it would fail at random."""
    return (
        pull(TRIVY_IMAGE, mirror)
        .with_mounted_cache(
            "/root/.cache/trivy", dag.cache_volume("todo-trivy"), sharing=dagger.CacheSharingMode.LOCKED
        )
        .with_env_variable("TRIVY_NO_PROGRESS", "true")
        .with_env_variable("TODO_SCAN_DAY", scan_day)
        .with_exec(["mkdir", "-p", REPORT_DIR])
    )


def scan_image(
    image: dagger.Container, target: ScanTarget, scan_day: str, *, mirror: str = ""
) -> dagger.Container:
    return (
        trivy(scan_day, mirror=mirror)
        .with_mounted_file(f"{SCAN_DIR}/image.tar", image.as_tarball())
        .with_exec(recorded(scan_args(target), target))
    )


def scan_config(
    directory: dagger.Directory, target: ScanTarget, scan_day: str, *, mirror: str = ""
) -> dagger.Container:
    return (
        trivy(scan_day, mirror=mirror)
        .with_mounted_directory(SCAN_DIR, directory)
        .with_exec(recorded(scan_args(target), target))
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
            return "FAILED: HIGH/CRITICAL findings"
        return f"ERROR: trivy could not scan (exit code {self.exit_code}): {self.cause}"

    @property
    def cause(self) -> str:
        """The last error line Trivy printed (e.g. that it could not download its vulnerability database)."""
        lines = self.table.strip().splitlines()
        # FATAL first: Trivy also logs harmless ERROR lines (e.g. "Falling back to embedded checks").
        fatal = [line for line in lines if "FATAL" in line]
        errors = [line for line in lines if "ERROR" in line]
        return (fatal or errors or lines or ["no output"])[-1].strip()


async def run_scan(scanned: dagger.Container, target: ScanTarget) -> ScanResult:
    try:
        code = int((await scanned.file(target.exit_code_file).contents()).strip())
        table = await to_table(scanned, target).stdout()
        sarif = await to_sarif(scanned, target).contents()
    except dagger.ExecError as e:
        # Trivy itself failed: no report. Its own words say why.
        return ScanResult(target, e.exit_code or 1, f"{e.stdout}\n{e.stderr}", "")
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
