"""Run kubectl and helm: the same commands a user types, against whatever KUBECONFIG points to."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from typing import Any


class CommandError(RuntimeError):
    """A kubectl/helm command exited non-zero; the message carries its stderr."""


def tool(name: str) -> str | None:
    """Path of kubectl/helm: $TODO_K8S_KUBECTL / $TODO_K8S_HELM, else the one on PATH."""
    return os.environ.get(f"TODO_K8S_{name.upper()}") or shutil.which(name)


def run(argv: list[str], *, timeout: float = 120, stdin: str | None = None) -> str:
    try:
        done = subprocess.run(argv, input=stdin, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired as exc:
        raise CommandError(f"{' '.join(argv)} timed out after {timeout:.0f}s") from exc
    if done.returncode != 0:
        output = f"{done.stderr.strip()}\n{done.stdout.strip()[-3000:]}".strip()
        raise CommandError(f"{' '.join(argv)} exited {done.returncode}: {output}")
    return done.stdout


class Kubectl:
    """kubectl, optionally bound to one namespace."""

    def __init__(self, binary: str, namespace: str | None = None) -> None:
        self.binary = binary
        self.namespace = namespace

    def in_namespace(self, namespace: str) -> Kubectl:
        return Kubectl(self.binary, namespace)

    def argv(self, *args: str) -> list[str]:
        ns = ["--namespace", self.namespace] if self.namespace else []
        return [self.binary, *ns, *args]

    def __call__(self, *args: str, timeout: float = 120, stdin: str | None = None) -> str:
        return run(self.argv(*args), timeout=timeout, stdin=stdin)

    def json(self, *args: str, timeout: float = 60) -> Any:
        return json.loads(self(*args, "-o", "json", timeout=timeout))

    def apply(self, *objects: dict[str, Any]) -> None:
        self(
            "apply", "-f", "-", stdin=json.dumps({"apiVersion": "v1", "kind": "List", "items": list(objects)})
        )


class Helm:
    """helm for one release in one namespace."""

    def __init__(self, binary: str, release: str, namespace: str) -> None:
        self.binary = binary
        self.release = release
        self.namespace = namespace

    def __call__(self, *args: str, timeout: float = 600) -> str:
        return run([self.binary, "--namespace", self.namespace, *args], timeout=timeout)

    def history(self) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = json.loads(self("history", self.release, "-o", "json"))
        return result

    def revision(self) -> int:
        return max(int(entry["revision"]) for entry in self.history())
