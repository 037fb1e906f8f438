"""The GitHub Actions workflow runs the module's own calls, with pinned actions and least privilege."""

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from todo import scanning, versions

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = ROOT / ".github" / "workflows" / "ci.yml"
DAGGER_ACTION = "dagger/dagger-for-github@27b130bf0f79a7f6fbbbe0fbca6760dc9bb40a77"


def workflow() -> dict[Any, Any]:
    loaded: dict[Any, Any] = yaml.safe_load(WORKFLOW.read_text())
    return loaded


def steps(job: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = workflow()["jobs"][job]["steps"]
    return found


def dagger_calls(job: str) -> list[str]:
    return [
        s["with"]["args"] for s in steps(job) if s.get("uses", "").startswith("dagger/dagger-for-github@")
    ]


def test_runs_on_push_and_pull_request() -> None:
    # PyYAML reads the key `on` as the boolean True.
    triggers = workflow()[True]
    assert set(triggers) == {"push", "pull_request"}


def test_every_action_is_pinned_to_a_full_commit() -> None:
    uses = [s["uses"] for job in workflow()["jobs"] for s in steps(job) if "uses" in s]
    assert uses
    for ref in uses:
        assert re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", ref), ref


def test_permissions_are_minimal() -> None:
    assert workflow()["permissions"] == {"contents": "read"}
    jobs = workflow()["jobs"]
    assert jobs["pipeline"]["permissions"] == {"contents": "read", "security-events": "write"}
    assert jobs["publish"]["permissions"] == {"contents": "read"}


def test_ci_runs_the_same_calls_as_a_developer_with_the_pinned_engine() -> None:
    assert workflow()["env"]["DAGGER_VERSION"] == versions.DAGGER_VERSION
    for job in ("pipeline", "publish"):
        for step in steps(job):
            if step.get("uses", "").startswith("dagger/dagger-for-github@"):
                assert step["uses"] == DAGGER_ACTION
                assert step["with"]["version"] == "${{ env.DAGGER_VERSION }}"
                assert step["with"]["verb"] == "call"
    calls = dagger_calls("pipeline")
    assert calls[0].split()[0] == "ci"
    assert calls[1].split()[0] == "scan-report"
    assert calls[1].endswith("export --path=artifacts/scan")


def test_the_scan_report_is_uploaded_even_when_the_pipeline_fails() -> None:
    report, upload = [s for s in steps("pipeline") if "uses" in s][-2:]
    assert report["if"] == "${{ !cancelled() }}"
    assert upload["uses"].startswith("github/codeql-action/upload-sarif@")
    assert upload["with"]["sarif_file"] == f"artifacts/scan/{scanning.SARIF_FILE}"
    assert "!cancelled()" in upload["if"]


def test_only_pushes_to_main_and_tags_publish_and_only_that_job_sees_registry_secrets() -> None:
    jobs = workflow()["jobs"]
    condition = jobs["publish"]["if"]
    assert "github.event_name == 'push'" in condition
    assert "refs/heads/main" in condition
    assert "refs/tags/v" in condition
    assert jobs["publish"]["needs"] == "pipeline"
    assert "secrets." not in yaml.safe_dump(jobs["pipeline"])
    (publish,) = dagger_calls("publish")
    assert publish.split()[0] == "publish"
    assert "--password=env://REGISTRY_PASSWORD" in publish


def run_release_step(ref_type: str, ref_name: str, tmp_path: Path) -> tuple[int, str]:
    (step,) = [s for s in steps("pipeline") if s.get("id") == "release"]
    output = tmp_path / "github_output"
    output.write_text("")
    done = subprocess.run(
        ["bash", "-e", "-o", "pipefail", "-c", step["run"]],
        env={
            "REF_TYPE": ref_type,
            "REF_NAME": ref_name,
            "GITHUB_OUTPUT": str(output),
            "PATH": "/usr/bin:/bin",
        },
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    return done.returncode, output.read_text()


@pytest.mark.parametrize(
    ("ref_type", "ref_name", "version"),
    [
        ("tag", "v1.2.3", "1.2.3"),
        ("tag", "v2.0.0-rc.1", "2.0.0-rc.1"),
        ("branch", "main", ""),
        ("branch", "x;y", ""),
    ],
)
def test_release_version_comes_from_semver_tags_only(
    ref_type: str, ref_name: str, version: str, tmp_path: Path
) -> None:
    code, output = run_release_step(ref_type, ref_name, tmp_path)
    assert (code, output) == (0, f"version={version}\n")


@pytest.mark.parametrize(
    "ref_name", ["release-1", "v1.2", "v1.2.3+build", "v1.2.3;touch /tmp/x", "v1.2.3 --registry=x"]
)
def test_other_tags_are_refused_before_they_reach_a_command_line(ref_name: str, tmp_path: Path) -> None:
    code, output = run_release_step("tag", ref_name, tmp_path)
    assert code == 1
    assert output == ""
