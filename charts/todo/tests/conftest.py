"""Fixtures shared by the chart tests."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from todo_testing.catalog import REPO_ROOT, python_components


def stack_available() -> bool:
    return all(importlib.util.find_spec(f"{c.package}.__main__") for c in python_components())


def read_urls(process: subprocess.Popen[str], errors: Path) -> dict[str, str]:
    """The launcher's JSON line with the URLs (log lines of the migrations it runs may come first)."""
    assert process.stdout
    for line in process.stdout:
        if line.startswith("{") and '"backend_url"' in line:
            urls: dict[str, str] = json.loads(line)
            return urls
    status = process.wait(timeout=30)
    tail = "\n".join(errors.read_text().splitlines()[-15:])
    pytest.fail(f"the stack launcher exited with {status} before printing its URLs:\n{tail}")


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """The real services (backend, mcp-server, builtin-model agent, PostgreSQL) via the shared launcher."""
    if not stack_available():
        pytest.skip("the Python services are not in this checkout yet (no todo_backend/__main__ etc.)")
    logs = tmp_path_factory.mktemp("chart-stack-logs")
    errors = logs / "launcher.stderr"
    with errors.open("w") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "todo_testing.stack", "--log-dir", str(logs)],
            cwd=REPO_ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
        )
        assert process.stdin
        assert process.stdout
        try:
            urls = read_urls(process, errors)
            # Keep reading so output after the URLs can never fill the pipe and block the launcher.
            threading.Thread(target=process.stdout.read, daemon=True).start()
            yield urls
        finally:
            if process.poll() is None:
                process.stdin.write("quit\n")
                process.stdin.close()
            process.wait(timeout=60)
