"""A throwaway PostgreSQL server of a test's own, which the test may stop and start again.

Tests of "the database went away and came back" must never stop the machine's shared server, so they
run their own cluster in a temporary directory on a free loopback port, with trust authentication.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

from .processes import free_port

USER = "todo"


def _postgres_bin() -> Path:
    """The directory of the newest installed PostgreSQL server programs (Debian layout, or PATH)."""
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda p: int(p.parts[-3]))
    if candidates:
        return candidates[-1].parent
    found = shutil.which("pg_ctl")
    if found is None:
        raise RuntimeError("PostgreSQL server programs (pg_ctl, initdb) are not installed")
    return Path(found).parent


class PrivatePostgres:
    """`initdb` + `pg_ctl start` in a temporary directory; `stop()`/`start()` as often as needed."""

    def __init__(self) -> None:
        self.port = free_port()
        self._bin = _postgres_bin()
        self._dir = Path(tempfile.mkdtemp(prefix="todo-private-pg-"))
        self._data = self._dir / "data"
        # initdb and postgres refuse to run as root; as root, run them as the `postgres` system user.
        self._run_as = pwd.getpwnam("postgres") if os.geteuid() == 0 else None
        if self._run_as is not None:
            os.chown(self._dir, self._run_as.pw_uid, self._run_as.pw_gid)
        self._run("initdb", "-D", str(self._data), "-U", USER, "--auth=trust", "--no-sync", "-E", "UTF8")
        self.start()

    @property
    def url(self) -> str:
        return f"postgresql://{USER}@127.0.0.1:{self.port}/postgres"

    def start(self) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self._dir} -c fsync=off"
        self._run("pg_ctl", "-D", str(self._data), "-o", options, "-l", str(self._dir / "log"), "-w", "start")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self._data), "-m", "fast", "-w", "stop")

    def close(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self._data), "-m", "immediate", "-w", "stop", check=False)
        finally:
            shutil.rmtree(self._dir, ignore_errors=True)

    def _run(self, program: str, *args: str, check: bool = True) -> None:
        command = [str(self._bin / program), *args]
        if self._run_as is not None:
            command = ["runuser", "-u", self._run_as.pw_name, "--", *command]
        subprocess.run(command, check=check, capture_output=True, timeout=60, cwd=self._dir)

    def __enter__(self) -> PrivatePostgres:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()
