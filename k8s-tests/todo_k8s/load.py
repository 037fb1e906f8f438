"""Drive the in-cluster load generator (loadgen.py) from the test: start it, stop it, read its report."""

from __future__ import annotations

import base64
import json
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from todo_testing.api import ApiUser

from todo_k8s.commands import CommandError
from todo_k8s.release import Release
from todo_k8s.usage import Sampler

LOADGEN = Path(__file__).with_name("loadgen.py")
# Title prefix of the tasks the load's writes create ("<prefix> <n>").
WRITE_TITLE = "load write"


@dataclass(frozen=True)
class TargetReport:
    sent: int
    ok: int
    failed: int
    errors: list[str]
    # Connections that did not open in time and were opened again (with a connect timeout, see Load).
    connects_retried: int = 0
    # Seconds after the load started at which the last failed request was sent.
    last_failure: float | None = None
    # Failures by kind (loadgen.failure_kind): [count, first sent at, last sent at], seconds after the start.
    kinds: dict[str, list[float]] = field(default_factory=dict)


@dataclass(frozen=True)
class LoadReport:
    seconds: float
    targets: dict[str, TargetReport]

    @property
    def sent(self) -> int:
        return sum(t.sent for t in self.targets.values())

    @property
    def failed(self) -> int:
        return sum(t.failed for t in self.targets.values())

    @property
    def rate(self) -> float:
        return self.sent / self.seconds if self.seconds else 0.0

    def of(self, *names: str) -> tuple[int, int]:
        """(sent, failed) of the targets NAMES together."""
        chosen = [self.targets[name] for name in names]
        return sum(t.sent for t in chosen), sum(t.failed for t in chosen)


class Load:
    """A load-generator pod that carries the chart's `tests` labels, the ones its NetworkPolicies let reach
    the frontend and the backend; it sends to their Services, as the app's clients do.

    Reads (GET of the user's tasks) go to each of COMPONENTS at RATE_PER_TARGET; with WRITES_EVERY=N, every
    Nth tick also creates a task ("write"), and with CHATS_EVERY=N sends a chat turn to the builtin model
    ("chat", which reaches the agent and the MCP server). NODE pins the pod to one node. With CONNECT_TIMEOUT
    (seconds) a connection that does not open within it is opened again (see loadgen.Client)."""

    def __init__(
        self,
        release: Release,
        user: ApiUser,
        rate_per_target: float = 12,
        components: tuple[str, ...] = ("frontend", "backend"),
        *,
        writes_every: int = 0,
        chats_every: int = 0,
        node: str | None = None,
        connect_timeout: float = 0.0,
    ) -> None:
        self.release = release
        self.name = f"load-{secrets.token_hex(3)}"
        self.node = node
        # Every load phase of the suite records the containers' use (the headroom test reads it).
        self.sampler = Sampler(release.kubectl, release.namespace)
        backend_tasks = f"{release.service_url('backend')}/api/{user.id}/tasks"
        bearer = {"Authorization": "Bearer {token}", "Content-Type": "application/json"}
        targets: list[dict[str, Any]] = [
            {
                "name": "frontend",
                "url": f"{release.service_url('frontend')}/api/tasks",
                "headers": {"Cookie": "todo_session={token}"},
            },
            {"name": "backend", "url": backend_tasks, "headers": {"Authorization": "Bearer {token}"}},
        ]
        targets = [target for target in targets if target["name"] in components]
        if writes_every:
            body = json.dumps({"title": f"{WRITE_TITLE} {{n}}"})
            targets.append(
                {
                    "name": "write",
                    "url": backend_tasks,
                    "method": "POST",
                    "body": body,
                    "headers": bearer,
                    "every": writes_every,
                }
            )
        if chats_every:
            targets.append(
                {
                    "name": "chat",
                    "url": f"{release.service_url('backend')}/api/{user.id}/chat",
                    "method": "POST",
                    "body": json.dumps({"message": "Add a task to water plant {n}"}),
                    "headers": bearer,
                    "every": chats_every,
                }
            )
        self.objects = self._objects(user.token, targets, rate_per_target, connect_timeout)

    def _objects(
        self, token: str, targets: list[dict[str, Any]], rate: float, connect_timeout: float
    ) -> list[dict[str, Any]]:
        labels = self.release.labels("tests")
        meta = {"name": self.name, "labels": {**labels, "todo-k8s-tests/role": "load"}}
        container_security = {
            "allowPrivilegeEscalation": False,
            "readOnlyRootFilesystem": True,
            "capabilities": {"drop": ["ALL"]},
        }
        image = self.release.kubectl.json("get", "deployment", self.release.object_name("backend"))["spec"][
            "template"
        ]["spec"]["containers"][0]["image"]
        return [
            {
                "apiVersion": "v1",
                "kind": "Secret",
                "metadata": meta,
                "data": {"token": base64.b64encode(token.encode()).decode()},
            },
            {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": meta,
                "data": {"loadgen.py": LOADGEN.read_text()},
            },
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": meta,
                "spec": {
                    **({"nodeSelector": {"kubernetes.io/hostname": self.node}} if self.node else {}),
                    "restartPolicy": "Never",
                    "automountServiceAccountToken": False,
                    "securityContext": {
                        "runAsNonRoot": True,
                        "runAsUser": 10001,
                        "runAsGroup": 10001,
                        "seccompProfile": {"type": "RuntimeDefault"},
                    },
                    "containers": [
                        {
                            "name": "load",
                            "image": image,
                            "imagePullPolicy": "IfNotPresent",
                            "command": ["python", "/opt/load/loadgen.py"],
                            "env": [
                                {"name": "LOAD_TARGETS", "value": json.dumps(targets)},
                                {"name": "RATE_PER_TARGET", "value": str(rate)},
                                {"name": "CONNECT_TIMEOUT", "value": str(connect_timeout)},
                                {
                                    "name": "LOAD_TOKEN",
                                    "valueFrom": {"secretKeyRef": {"name": self.name, "key": "token"}},
                                },
                            ],
                            "resources": {
                                "requests": {"cpu": "50m", "memory": "64Mi"},
                                "limits": {"cpu": "500m", "memory": "128Mi"},
                            },
                            "securityContext": container_security,
                            "volumeMounts": [
                                {"name": "script", "mountPath": "/opt/load", "readOnly": True},
                                {"name": "tmp", "mountPath": "/tmp"},  # noqa: S108 (the pod's own emptyDir)
                            ],
                        }
                    ],
                    "volumes": [
                        {"name": "script", "configMap": {"name": self.name}},
                        {"name": "tmp", "emptyDir": {}},
                    ],
                },
            },
        ]

    def start(self) -> None:
        kubectl = self.release.kubectl
        kubectl.apply(*self.objects)
        kubectl("wait", "--for=condition=Ready", f"pod/{self.name}", "--timeout=120s", timeout=150)
        deadline = time.monotonic() + 30
        while '"started"' not in kubectl("logs", self.name):
            assert time.monotonic() < deadline, "the load generator did not start"
            time.sleep(0.5)
        self.sampler.start()

    def stop(self) -> LoadReport:
        self.sampler.stop()
        kubectl = self.release.kubectl
        kubectl("exec", self.name, "--", "python", "-c", "open('/tmp/stop', 'w').close()")
        kubectl(
            "wait",
            "--for=jsonpath={.status.phase}=Succeeded",
            f"pod/{self.name}",
            "--timeout=60s",
            timeout=90,
        )
        last = kubectl("logs", self.name).strip().splitlines()[-1]
        summary = json.loads(last)
        if summary.get("event") != "done":
            raise CommandError(f"unexpected load generator output: {last}")
        return LoadReport(
            seconds=float(summary["seconds"]),
            targets={name: TargetReport(**report) for name, report in summary["targets"].items()},
        )

    def delete(self) -> None:
        self.sampler.stop()
        for kind in ("pod", "configmap", "secret"):
            self.release.kubectl("delete", kind, self.name, "--ignore-not-found", "--wait=false")
