"""GitOps (Argo CD, Flux): the chart rendered with `helm template` — no cluster access while rendering — and
applied, twice. The second apply changes nothing: no Secret rotates, no pod restarts, a session stays valid.
Also: `helm upgrade` keeps the generated Secret; an existingSecret's content rolls the pods; ServiceMonitors
follow the cluster's API versions."""

from __future__ import annotations

import hashlib
import json
import secrets
import time
from collections.abc import Iterator
from typing import Any

import httpx2
import pytest
import yaml
from todo_k8s.commands import Kubectl, run
from todo_k8s.portforward import port_forward
from todo_k8s.release import BACKEND_PORT, Release, is_ready, wait_until
from todo_testing.api import sign_up

NAME = "gitops"


def template(release: Release, namespace: str, *extra: str, name: str = NAME) -> str:
    """`helm template` as Argo CD runs it: offline, hooks included, no test pods."""
    args = [*release.base_args, "--namespace", namespace, "--skip-tests", *extra]
    return run([release.helm.binary, "template", name, *args])


def objects(manifest: str) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(manifest) if doc]


@pytest.fixture(scope="module")
def gitops_namespace(release: Release, kubectl: Kubectl) -> Iterator[Kubectl]:
    namespace = f"todo-gitops-{secrets.token_hex(3)}"
    kubectl("create", "namespace", namespace)
    # What docs/minikube.md asks of a GitOps namespace: Pod Security "restricted", enforced.
    kubectl("label", "namespace", namespace, "pod-security.kubernetes.io/enforce=restricted")
    try:
        yield kubectl.in_namespace(namespace)
    finally:
        kubectl("delete", "namespace", namespace, "--wait=false")


def state(kubectl: Kubectl) -> dict[str, Any]:
    """What a second apply must not change: the Secret, every pod (by uid), every workload's generation."""
    secret = kubectl.json("get", "secret", f"{NAME}-todo-secrets")
    pods = kubectl.json("get", "pods", "-l", "app.kubernetes.io/instance=gitops")["items"]
    workloads = kubectl.json("get", "deployments,statefulsets")["items"]
    return {
        "secret": (
            secret["metadata"]["resourceVersion"],
            hashlib.sha256(json.dumps(secret["data"], sort_keys=True).encode()).hexdigest(),
        ),
        "pods": sorted(
            p["metadata"]["uid"]
            for p in pods
            if p["metadata"].get("ownerReferences", [{}])[0].get("kind") != "Job"
        ),
        "generations": {w["metadata"]["name"]: w["metadata"]["generation"] for w in workloads},
    }


def all_ready(kubectl: Kubectl) -> bool:
    workloads = kubectl.json("get", "deployments,statefulsets")["items"]
    pods = kubectl.json("get", "pods", "-l", "app.kubernetes.io/instance=gitops")["items"]
    serving = [p for p in pods if p["metadata"].get("ownerReferences", [{}])[0].get("kind") != "Job"]
    jobs = kubectl.json("get", "jobs")["items"]  # the secret-init and migration hooks, applied as plain Jobs
    return (
        bool(workloads)
        and all(is_ready(p) for p in serving)
        and all(w["status"].get("readyReplicas", 0) == w["spec"]["replicas"] for w in workloads)
        and len(jobs) == 2
        and all(j["status"].get("succeeded", 0) >= 1 for j in jobs)
    )


def test_two_helm_template_renders_applied_change_nothing(
    release: Release, gitops_namespace: Kubectl
) -> None:
    kubectl = gitops_namespace
    namespace = kubectl.namespace
    assert namespace
    first, second = template(release, namespace), template(release, namespace)
    assert first == second, "two renders differ: every GitOps sync would change the release"
    kubectl("apply", "-f", "-", stdin=first, timeout=180)
    waited = wait_until(
        "the applied release to be ready", lambda: all_ready(kubectl), timeout=400, interval=3
    )
    print(f"\n[k8s-tests] helm template | kubectl apply -> all ready: {waited:.0f}s")
    with (
        port_forward(kubectl, f"svc/{NAME}-todo-backend", BACKEND_PORT) as url,
        httpx2.Client(base_url=url, timeout=30) as client,
    ):
        user = sign_up(client, "GitOps")
        before = state(kubectl)
        kubectl("apply", "-f", "-", stdin=second, timeout=180)
        time.sleep(10)  # long enough for a changed template to start a rollout
        after = state(kubectl)
        me = client.get("/api/auth/me", headers=user.headers)
    assert after == before
    assert me.status_code == 200, me.text


def test_an_existing_secret_s_content_rolls_the_pods(release: Release, gitops_namespace: Kubectl) -> None:
    """With cluster access (helm install/upgrade, `--dry-run=server`) the checksum follows the content."""
    kubectl = gitops_namespace
    namespace = kubectl.namespace
    assert namespace
    kubectl("create", "secret", "generic", "rotated", "--from-literal=JWT_SECRET=" + "a" * 40)

    def checksum() -> str:
        # Another release name: Helm 4's server dry run refuses the applied (not Helm-owned) objects.
        manifest = template(
            release, namespace, "--set", "secrets.existingSecret=rotated", "--dry-run=server", name="rotation"
        )
        backend = next(
            o
            for o in objects(manifest)
            if o["kind"] == "Deployment" and o["metadata"]["name"].endswith("-backend")
        )
        value: str = backend["spec"]["template"]["metadata"]["annotations"]["checksum/secret"]
        return value

    before = checksum()
    assert checksum() == before
    kubectl("patch", "secret", "rotated", "-p", json.dumps({"stringData": {"JWT_SECRET": "b" * 40}}))
    assert checksum() != before


def test_service_monitors_follow_the_cluster_s_api_versions(release: Release) -> None:
    def monitors(*extra: str) -> int:
        manifest = template(release, release.namespace, "--set", "metrics.enabled=true", *extra)
        return sum(1 for o in objects(manifest) if o["kind"] == "ServiceMonitor")

    assert monitors() == 0  # this cluster serves no monitoring.coreos.com/v1
    assert monitors("--api-versions", "monitoring.coreos.com/v1/ServiceMonitor") == 4


def test_helm_upgrade_keeps_the_generated_secret_and_sessions(release: Release, backend_url: str) -> None:
    secret_name = f"{release.object_name('secrets')}"
    before = release.kubectl.json("get", "secret", secret_name)
    assert "meta.helm.sh/release-name" not in before["metadata"].get("annotations", {}), (
        "must not be Helm's to delete"
    )
    with httpx2.Client(base_url=backend_url, timeout=30) as client:
        user = sign_up(client, "Upgrade")
    release.upgrade()
    after = release.kubectl.json("get", "secret", secret_name)
    assert after["metadata"]["resourceVersion"] == before["metadata"]["resourceVersion"]
    with port_forward(release.kubectl, f"svc/{release.object_name('backend')}", BACKEND_PORT) as url:
        assert httpx2.get(f"{url}/api/auth/me", headers=user.headers, timeout=30).status_code == 200
