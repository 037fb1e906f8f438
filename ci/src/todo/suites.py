"""The project's test suites (`scripts/test <suite>`), each in its own container, in parallel.

Python suites run in the python:3.11 toolchain. The frontend suite ends with the browser tests, which start
the real Python services (todo_testing.stack) and drive Debian's Chromium: its container is the same
Python toolchain plus Node (copied from the pinned node image) and Debian's chromium package, so one container
holds everything the suite needs. Suites that need PostgreSQL get a throwaway server bound in as `db`.
"""

from dataclasses import dataclass
from typing import Final

import dagger
from dagger import dag

from .pull import pull
from .versions import NODE_TOOLCHAIN_IMAGE, POSTGRES_IMAGE, PYTHON_TOOLCHAIN_IMAGE

SUITES: Final = ("lint", "python", "chart", "pipeline", "frontend")
TEST_SUITES: Final = ("python", "chart", "pipeline", "frontend")
# The chart suite runs the helm-test scripts against the real stack (test_helm_test_scripts.py).
DB_SUITES: Final = frozenset({"python", "chart", "frontend"})
PRIVILEGED_SUITES: Final = frozenset({"frontend"})
# The throwaway test server's fixed credentials (the team's test convention), not a secret.
TEST_DATABASE_ADMIN_URL: Final = "postgresql://todo:todo@db:5432/postgres"
WORKDIR: Final = "/src"
SYSTEM_CA_BUNDLE: Final = "/etc/ssl/certs/ca-certificates.crt"


@dataclass(frozen=True)
class SuiteResult:
    suite: str
    exit_code: int
    output: str

    @property
    def passed(self) -> bool:
        return self.exit_code == 0


def postgres_service(*, mirror: str = "") -> dagger.Service:
    """A PostgreSQL server for one test run (data on tmpfs, fsync off: it is thrown away)."""
    return (
        pull(POSTGRES_IMAGE, mirror)
        .with_env_variable("POSTGRES_USER", "todo")
        .with_env_variable("POSTGRES_PASSWORD", "todo")
        .with_mounted_temp("/var/lib/postgresql/data")
        .with_exposed_port(5432)
        .as_service(args=["postgres", "-c", "fsync=off", "-c", "max_connections=200"], use_entrypoint=True)
    )


# Debian packages of the toolchains: PostgreSQL's server programs for the tests that run a private server
# (todo_testing.private_postgres); Chromium for the browser tests.
PYTHON_PACKAGES: Final = ("postgresql",)
FRONTEND_PACKAGES: Final = ("postgresql", "chromium", "fonts-liberation")


def _toolchain(packages: tuple[str, ...], mirror: str) -> dagger.Container:
    ctr = pull(PYTHON_TOOLCHAIN_IMAGE, mirror)
    if packages:
        install = " ".join(packages)
        ctr = ctr.with_exec(
            [
                "sh",
                "-c",
                f"apt-get update && apt-get install -y --no-install-recommends {install}"
                " && rm -rf /var/lib/apt/lists/*",
            ]
        )
    return (
        ctr.with_mounted_cache("/root/.cache/uv", dag.cache_volume("todo-uv"))
        .with_mounted_cache("/root/.cache/pip", dag.cache_volume("todo-pip"))
        .with_env_variable("UV_LINK_MODE", "copy")
    )


def _with_source(ctr: dagger.Container, source: dagger.Directory) -> dagger.Container:
    return ctr.with_directory(WORKDIR, source).with_workdir(WORKDIR)


def python_toolchain(source: dagger.Directory, *, mirror: str = "") -> dagger.Container:
    """Python 3.11 with the repository at /src; scripts/test installs its pinned uv and syncs the venv."""
    return _with_source(_toolchain(PYTHON_PACKAGES, mirror), source)


def plain_python_toolchain(source: dagger.Directory, *, mirror: str = "") -> dagger.Container:
    """Python 3.11 with the repository at /src and no Debian packages (the live-cluster suite needs none)."""
    return _with_source(_toolchain((), mirror), source)


def frontend_toolchain(source: dagger.Directory, *, mirror: str = "") -> dagger.Container:
    """The Python toolchain plus Node and Debian's Chromium (/usr/bin/chromium, as the e2e harness wants)."""
    node = pull(NODE_TOOLCHAIN_IMAGE, mirror)
    with_node = (
        _toolchain(FRONTEND_PACKAGES, mirror)
        .with_file("/usr/local/bin/node", node.file("/usr/local/bin/node"))
        .with_directory("/usr/local/lib/node_modules/npm", node.directory("/usr/local/lib/node_modules/npm"))
        .with_exec(["ln", "-s", "../lib/node_modules/npm/bin/npm-cli.js", "/usr/local/bin/npm"])
        .with_exec(["ln", "-s", "../lib/node_modules/npm/bin/npx-cli.js", "/usr/local/bin/npx"])
        .with_mounted_cache("/root/.npm", dag.cache_volume("todo-npm"))
        # Node trusts only its bundled CAs; this adds the system store, where the engine installs the custom
        # CAs it is configured with (e.g. a TLS-intercepting proxy's), as it does for pip and apt.
        .with_env_variable("NODE_EXTRA_CA_CERTS", SYSTEM_CA_BUNDLE)
    )
    return _with_source(with_node, source)


def suite_container(source: dagger.Directory, suite: str, *, mirror: str = "") -> dagger.Container:
    """`scripts/test <suite>`; an exec that fails is an error, which the engine never caches (a result
    with expect=ANY would be cached as a success and replayed after the fix)."""
    if suite not in SUITES:
        msg = f"unknown test suite {suite!r}: expected one of {', '.join(SUITES)}"
        raise ValueError(msg)
    toolchain = frontend_toolchain if suite == "frontend" else python_toolchain
    ctr = toolchain(source, mirror=mirror)
    if suite in DB_SUITES:
        ctr = ctr.with_service_binding("db", postgres_service(mirror=mirror)).with_env_variable(
            "TEST_DATABASE_ADMIN_URL", TEST_DATABASE_ADMIN_URL
        )
    # The browser tests start the web app from a read-only bind mount, as the chart runs it (read-only root
    # filesystem): `unshare --mount` and `mount` need root capabilities the engine withholds from plain execs.
    return ctr.with_exec(["scripts/test", suite], insecure_root_capabilities=suite in PRIVILEGED_SUITES)


async def outcome(suite: str, ctr: dagger.Container) -> SuiteResult:
    """The suite's exit code and output; a failed exec is an error the engine never caches."""
    try:
        output = await ctr.combined_output()
    except dagger.ExecError as failed:
        return SuiteResult(suite, failed.exit_code, f"{failed.stdout}\n{failed.stderr}")
    return SuiteResult(suite, 0, output)


async def run_suite(source: dagger.Directory, suite: str, *, mirror: str = "") -> SuiteResult:
    return await outcome(suite, suite_container(source, suite, mirror=mirror))


def failure_report(results: list[SuiteResult]) -> str:
    """The output of every failed suite, headed by its name; empty when all passed."""
    return "\n\n".join(
        f"===== suite {r.suite} failed (exit code {r.exit_code}) =====\n{r.output}"
        for r in results
        if not r.passed
    )
