"""The Dagger module on a real engine (airgap/dagger): engine bring-up with its binaries cached, `dagger
functions` warm, `dagger call build-all` with nothing changed, and after a one-line change in one service
(which images' builds ran again, and how long it took).

    uv run python -m benchmarks.dagger_engine [--repeat N]

Needs root and what airgap/dagger/up needs; the engine is restarted (down, up) for the bring-up figure. The
one-line change is made in a copy of the repository (a detached git worktree), never in the working tree.
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import subprocess
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
AIRGAP = REPO / "airgap" / "dagger"
CHANGED_FILE = Path("services/backend/src/todo_backend/__init__.py")
# A Dockerfile step that ran (not CACHED) prints "DONE" on its line; its vertex names the service's Dockerfile.
_DOCKER_BUILD = re.compile(r"dockerBuild\(.*?dockerfile: \S*\"services/([a-z-]+)/Dockerfile")


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def timed(command: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, str]:
    started = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"{shlex.join(command)} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return elapsed, result.stdout + result.stderr


def engine_env() -> tuple[float, dict[str, str]]:
    """(seconds to bring the engine up with everything cached, the environment that reaches it)."""
    subprocess.run([str(AIRGAP / "down")], check=True, capture_output=True)
    started = time.perf_counter()
    exports = subprocess.run([str(AIRGAP / "up")], check=True, capture_output=True, text=True).stdout
    elapsed = time.perf_counter() - started
    env = dict(os.environ)
    for line in exports.splitlines():
        for assignment in shlex.split(line.removeprefix("export ")):
            name, _, value = assignment.partition("=")
            env[name] = value.replace("$PATH", env["PATH"])
    return elapsed, env


def rebuilt_services(log: str) -> set[str]:
    """The services whose Docker build had a step that ran (was not served from the cache)."""
    return {m.group(1) for line in log.splitlines() if (m := _DOCKER_BUILD.search(line)) and " DONE" in line}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()

    print(f"load average at start: {load_average()}")
    bring_up, env = engine_env()
    print(f"engine bring-up, binaries and SDK content cached: {bring_up:.1f} s")
    build_all = ["dagger", "--progress=plain", "call", f"--image-mirror={env['TODO_IMAGE_MIRROR']}", "build-all"]
    for n in range(args.repeat):
        print(f"dagger functions, warm (run {n + 1}): {timed(['dagger', 'functions'], REPO, env)[0]:.1f} s")
    for n in range(args.repeat):
        print(f"build-all, nothing changed (run {n + 1}): {timed(build_all, REPO, env)[0]:.1f} s")

    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "repo"
        subprocess.run(["git", "worktree", "add", "--detach", str(copy)], cwd=REPO, check=True, capture_output=True)
        try:
            timed(build_all, copy, env)  # the copy's own first load (its path is a new context)
            changed = copy / CHANGED_FILE
            changed.write_text(changed.read_text() + "\n# one-line change for benchmarks.dagger_engine\n")
            seconds, log = timed(build_all, copy, env)
            print(f"build-all after a one-line change in {CHANGED_FILE}: {seconds:.1f} s")
            print(f"  images whose build ran steps again: {', '.join(sorted(rebuilt_services(log))) or 'none'}")
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(copy)], cwd=REPO, check=False)
    print(f"load average at end: {load_average()}")


if __name__ == "__main__":
    main()
