"""The Dagger module on a real engine (airgap/dagger): engine bring-up with its binaries cached, `dagger
functions` warm, `dagger call build-all` with nothing changed, and after a one-line change in one service
(which images' builds ran steps again, and how long it took).

    uv run python -m benchmarks.dagger_engine [--repeat N]

Needs root and what airgap/dagger/up needs; the engine is restarted (down, up) for the bring-up figure. The
one-line change is made in a clone of the repository, never in the working tree (a git worktree would not do:
its `.git` is a file, which the module's git argument cannot load).
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
# Plain progress: a RUN step prints "<id> : ... withExec <command>", then "<id> : ... Container.withExec DONE"
# when it ran, or CACHED. The command names its service (--package todo-<name>, ./services/<name>) or, for the
# frontend, npm.
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_STEP = re.compile(r"^(\d+)\s*:.*?withExec (.*)$")
_RAN = re.compile(r"^(\d+)\s*:.*Container\.withExec DONE")
_SERVICE = re.compile(r"todo-(backend|mcp-server|agent)\b|services/(backend|mcp-server|agent)\b|(npm) ")


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
    """The services whose image build ran a RUN step again (instead of taking it from the cache)."""
    commands: dict[str, str] = {}
    ran: set[str] = set()
    for line in _ANSI.sub("", log).splitlines():
        if (step := _STEP.match(line)) and "Container.withExec" not in line:
            commands[step.group(1)] = step.group(2)
        elif ran_step := _RAN.match(line):
            ran.add(ran_step.group(1))
    services = set()
    for step_id in ran:
        if found := _SERVICE.search(commands.get(step_id, "")):
            name = next(group for group in found.groups() if group)
            services.add("frontend" if name == "npm" else name)
    return services


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()

    print(f"load average at start: {load_average()}")
    bring_up, env = engine_env()
    print(f"engine bring-up, binaries and SDK content cached: {bring_up:.1f} s")
    build_all = [
        "dagger",
        "--progress=plain",
        "call",
        f"--image-mirror={env['TODO_IMAGE_MIRROR']}",
        "build-all",
    ]
    for n in range(args.repeat):
        print(f"dagger functions, warm (run {n + 1}): {timed(['dagger', 'functions'], REPO, env)[0]:.1f} s")
    for n in range(args.repeat):
        seconds, log = timed(build_all, REPO, env)
        rebuilt = ", ".join(sorted(rebuilt_services(log))) or "none"
        print(f"build-all, nothing changed (run {n + 1}): {seconds:.1f} s (images that ran steps: {rebuilt})")

    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "repo"
        subprocess.run(["git", "clone", "-q", str(REPO), str(copy)], check=True)
        timed(build_all, copy, env)  # the clone's own first load (its path is a new context)
        changed = copy / CHANGED_FILE
        changed.write_text(changed.read_text() + "\n# one-line change for benchmarks.dagger_engine\n")
        seconds, log = timed(build_all, copy, env)
        print(f"build-all after a one-line change in {CHANGED_FILE}: {seconds:.1f} s")
        print(f"  images whose build ran steps again: {', '.join(sorted(rebuilt_services(log))) or 'none'}")
    print(f"load average at end: {load_average()}")


if __name__ == "__main__":
    main()
