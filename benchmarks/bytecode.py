"""Start-up figures are taken with bytecode compiled, as the images ship it (UV_COMPILE_BYTECODE=1).

A development environment may never have written any: uv does not compile on install, and with
PYTHONDONTWRITEBYTECODE set every start compiles each imported module again (about a second more for the
agent, measured), which is not what a deployed service pays.
"""

from __future__ import annotations

import compileall
import sysconfig
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("libs/todo-common/src", "services/backend/src", "services/mcp-server/src", "services/agent/src")


def compile_bytecode() -> None:
    """Compile the environment's packages and the services' sources (later runs only check timestamps)."""
    started = time.perf_counter()
    paths = sysconfig.get_paths()
    directories = {Path(paths["purelib"]), Path(paths["platlib"])}
    directories.update(REPO_ROOT / source for source in SOURCES)
    for directory in sorted(directories):
        compileall.compile_dir(directory, quiet=2, workers=0)
    print(f"bytecode compiled first, as in the images ({time.perf_counter() - started:.1f} s)")
