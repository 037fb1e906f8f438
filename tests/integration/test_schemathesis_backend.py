"""Property-based fuzzing of the backend's OpenAPI document with Schemathesis, against the real stack.

Bounded (a few examples per operation, one worker) so it fits a CI run. Every operation is exercised with a
valid token of an existing user whose tasks exist, so requests get past authentication and reach the
MCP server and the agent. Checks: no 5xx ever, and every answer matches the document (status code,
content type, body schema, headers).
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest
from todo_testing.api import sign_up
from todo_testing.catalog import REPO_ROOT
from todo_testing.processes import Stack

CHECKS = ",".join(
    (
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_schema_conformance",
        "response_headers_conformance",
    )
)


@pytest.fixture(scope="module")
def fuzzed_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    running = Stack(log_dir=tmp_path_factory.mktemp("schemathesis-logs")).start(timeout=90)
    try:
        yield running
    finally:
        running.close()


def test_backend_openapi_fuzzing_finds_no_server_error(fuzzed_stack: Stack, tmp_path: Path) -> None:
    with httpx2.Client(base_url=fuzzed_stack.backend.url, timeout=30) as api:
        user = sign_up(api)
        for title in ("First task", "Second task"):
            assert (
                api.post(f"{user.prefix}/tasks", json={"title": title}, headers=user.headers).status_code
                == 201
            )
        assert (
            api.post(f"{user.prefix}/chat", json={"message": "hello"}, headers=user.headers).status_code
            == 200
        )
    config = tmp_path / "schemathesis.toml"
    config.write_text(
        f'[headers]\nAuthorization = "Bearer {user.token}"\n\n[parameters]\n"path.user_id" = "{user.id}"\n'
    )
    junit = tmp_path / "junit.xml"
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "schemathesis.cli",
            "--config-file",
            str(config),
            "run",
            f"{fuzzed_stack.backend.url}/openapi.json",
            "--checks",
            CHECKS,
            "--max-examples",
            "10",
            "--workers",
            "1",  # hypothesis' lambda descriptions are not thread-safe on CPython 3.11
            "--seed",
            "20261126",
            "--request-timeout",
            "30",
            "--report",
            "junit",
            "--report-junit-path",
            str(junit),
            "--no-color",
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    output = run.stdout + run.stderr
    assert run.returncode == 0, output[-8000:]
    assert re.search(r"Tested:\s+12\b", output), output[-3000:]
    assert "<testcase" in junit.read_text()
