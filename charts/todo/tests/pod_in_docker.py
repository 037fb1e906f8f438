"""Run a container exactly as a rendered pod spec describes it, on the Docker engine: the image, command,
user, read-only root filesystem, dropped capabilities, no privilege escalation, emptyDir and ConfigMap
volumes, and the environment from env, ConfigMaps and Secrets. This checks the chart against the real images
where no cluster can run."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .chart import Obj


@dataclass(frozen=True)
class PodContext:
    """What the cluster would provide to the pod: ConfigMaps and Secrets by name, a scratch directory."""

    config_maps: Mapping[str, Mapping[str, str]]
    secrets: Mapping[str, Mapping[str, str]]
    scratch: Path
    # Set by the container runtime before the pod's env (Kubernetes sets HOSTNAME to the pod name).
    runtime_env: Mapping[str, str] = field(default_factory=dict)


def resolve_env(container: Obj, context: PodContext) -> dict[str, str]:
    env: dict[str, str] = {}
    for source in container.get("envFrom", []):
        env.update(context.config_maps[source["configMapRef"]["name"]])
    for entry in container.get("env", []):
        if "value" in entry:
            env[entry["name"]] = str(entry["value"])
            continue
        ref = entry["valueFrom"]["secretKeyRef"]
        secret = context.secrets.get(ref["name"], {})
        if ref["key"] in secret:
            env[entry["name"]] = secret[ref["key"]]
        elif not ref.get("optional", False):
            raise KeyError(f"Secret {ref['name']} has no key {ref['key']} (needed by {container['name']})")
    return env


def security_args(pod: Obj, container: Obj) -> list[str]:
    security = {**pod.get("securityContext", {}), **container.get("securityContext", {})}
    if (
        security.get("capabilities") != {"drop": ["ALL"]}
        or security.get("allowPrivilegeEscalation") is not False
    ):
        raise ValueError(f"{container['name']}: not a restricted security context")
    args = ["--user", f"{security['runAsUser']}:{security['runAsGroup']}", "--cap-drop", "ALL"]
    args += ["--security-opt", "no-new-privileges"]
    if security.get("readOnlyRootFilesystem"):
        args.append("--read-only")
    if "fsGroup" in pod.get("securityContext", {}):
        args += ["--group-add", str(pod["securityContext"]["fsGroup"])]
    return args


def volume_args(pod: Obj, container: Obj, context: PodContext) -> list[str]:
    volumes = {v["name"]: v for v in pod.get("volumes", [])}
    group = pod.get("securityContext", {}).get("fsGroup", 0)
    args: list[str] = []
    for mount in container.get("volumeMounts", []):
        volume = volumes[mount["name"]]
        if "emptyDir" in volume:
            # An emptyDir with fsGroup: group-owned and group-writable, like the kubelet makes it.
            args += ["--tmpfs", f"{mount['mountPath']}:rw,nosuid,nodev,size=64m,uid=0,gid={group},mode=1777"]
        elif "configMap" in volume:
            directory = context.scratch / f"configmap-{volume['configMap']['name']}"
            directory.mkdir(parents=True, exist_ok=True)
            for key, text in context.config_maps[volume["configMap"]["name"]].items():
                (directory / key).write_text(text)
            args += ["-v", f"{directory}:{mount['mountPath']}:ro"]
        else:
            raise ValueError(f"{container['name']}: volume kind of {mount['name']} not supported here")
    return args


def run_args(
    pod: Obj,
    container: Obj,
    context: PodContext,
    *,
    env_overrides: Mapping[str, str] | None = None,
    command: list[str] | None = None,
) -> list[str]:
    """`docker run` arguments (without the leading `docker run`) for one container of a pod spec."""
    env = {**context.runtime_env, **resolve_env(container, context), **(env_overrides or {})}
    args = [*security_args(pod, container), *volume_args(pod, container, context)]
    for name, value in env.items():
        args += ["-e", f"{name}={value}"]
    argv = command or container.get("command")
    if argv:
        args += ["--entrypoint", argv[0], container["image"], *argv[1:]]
    else:
        args.append(container["image"])
    return args
