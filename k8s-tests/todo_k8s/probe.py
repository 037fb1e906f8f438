"""TCP reachability checks from inside the cluster: from a release's own pods (kubectl exec, with the
runtime its image has) and from throwaway pods the test creates with chosen labels."""

from __future__ import annotations

import json
import secrets
from typing import Any

from todo_k8s.commands import CommandError
from todo_k8s.release import Release

TIMEOUT_SECONDS = 4

# A new pod's address reaches the NetworkPolicy enforcer a moment after the pod starts (kube-router: ~1 s),
# so a probe pod waits before it connects.
_PYTHON = (
    "import json,socket,sys,time\n"
    "time.sleep(float(sys.argv[1]))\n"
    "out={}\n"
    "for t in sys.argv[2:]:\n"
    "    h,p=t.rsplit(':',1)\n"
    "    try:\n"
    f"        socket.create_connection((h,int(p)),timeout={TIMEOUT_SECONDS}).close(); out[t]=True\n"
    "    except OSError:\n"
    "        out[t]=False\n"
    "print(json.dumps(out))\n"
)
_NODE = (
    "const net=require('net');const out={};let left=process.argv.length-1;"
    "for(const t of process.argv.slice(1)){const i=t.lastIndexOf(':');"
    "const s=net.connect({host:t.slice(0,i),port:+t.slice(i+1)});"
    "const done=(ok)=>{s.destroy();if(!(t in out)){out[t]=ok;"
    "if(--left===0)console.log(JSON.stringify(out));}};"
    "s.setTimeout(TIMEOUT_MS,()=>done(false));"
    "s.on('connect',()=>done(true));s.on('error',()=>done(false));}"
).replace("TIMEOUT_MS", str(TIMEOUT_SECONDS * 1000))


def reachable_from_pod(release: Release, pod: str, runtime: str, targets: list[str]) -> dict[str, bool]:
    """Connect from POD (runtime "python" or "node") to each host:port in TARGETS."""
    argv = ["python", "-c", _PYTHON, "0"] if runtime == "python" else ["node", "-e", _NODE, "--"]
    result: dict[str, bool] = json.loads(release.kubectl("exec", pod, "--", *argv, *targets, timeout=60))
    return result


def reachable_from_new_pod(
    release: Release, labels: dict[str, str], targets: list[str], namespace: str | None = None
) -> dict[str, bool]:
    """Start a pod with LABELS (in NAMESPACE, default the release's), connect to TARGETS, delete it."""
    kubectl = release.kubectl.in_namespace(namespace or release.namespace)
    name = f"probe-{secrets.token_hex(3)}"
    image = release.kubectl.json("get", "deployment", release.object_name("backend"))["spec"]["template"][
        "spec"
    ]["containers"][0]["image"]
    pod: dict[str, Any] = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "labels": labels},
        "spec": {
            "restartPolicy": "Never",
            "automountServiceAccountToken": False,
            "securityContext": {
                "runAsNonRoot": True,
                "runAsUser": 10001,
                "seccompProfile": {"type": "RuntimeDefault"},
            },
            "containers": [
                {
                    "name": "probe",
                    "image": image,
                    "imagePullPolicy": "IfNotPresent",
                    "command": ["python", "-c", _PYTHON, "5", *targets],
                    "resources": {"requests": {"cpu": "20m", "memory": "32Mi"}, "limits": {"memory": "64Mi"}},
                    "securityContext": {
                        "allowPrivilegeEscalation": False,
                        "readOnlyRootFilesystem": True,
                        "capabilities": {"drop": ["ALL"]},
                    },
                }
            ],
        },
    }
    kubectl.apply(pod)
    try:
        kubectl(
            "wait", "--for=jsonpath={.status.phase}=Succeeded", f"pod/{name}", "--timeout=120s", timeout=150
        )
        result: dict[str, bool] = json.loads(kubectl("logs", name).strip().splitlines()[-1])
        return result
    except CommandError:
        raise CommandError(f"probe pod failed: {kubectl('describe', 'pod', name)}") from None
    finally:
        kubectl("delete", "pod", name, "--ignore-not-found", "--wait=false")
