"""What every pod of the release relies on: restricted security, resources, probes, rollout safety, labels."""

from __future__ import annotations

import re

import pytest

from .chart import (
    COMPONENTS,
    RELEASE,
    Obj,
    Rendered,
    annotations_of,
    merged_values,
    render,
    render_notes,
    user_values,
)
from .variants import Variant, variant_params

STANDARD_LABELS = {
    "app.kubernetes.io/name",
    "app.kubernetes.io/instance",
    "app.kubernetes.io/component",
    "app.kubernetes.io/version",
    "app.kubernetes.io/part-of",
    "app.kubernetes.io/managed-by",
    "helm.sh/chart",
}
SELECTOR_LABELS = {"app.kubernetes.io/name", "app.kubernetes.io/instance", "app.kubernetes.io/component"}


def rendered_variant(variant: Variant) -> Rendered:
    return render(user_values(variant.values_file, *variant.sets))


def match_or_fail(pattern: str, text: str) -> str:
    match = re.fullmatch(pattern, text)
    assert match, f"{text!r} does not match {pattern!r}"
    return match.group(1)


def env_of(container: Obj) -> dict[str, Obj]:
    return {entry["name"]: entry for entry in container.get("env", [])}


@pytest.mark.parametrize("variant", variant_params())
def test_every_pod_meets_the_restricted_pod_security_standard(variant: Variant) -> None:
    rendered = rendered_variant(variant)
    service_accounts = {sa["metadata"]["name"]: sa for sa in rendered.of_kind("ServiceAccount")}
    pods = list(rendered.pod_specs())
    assert {owner["kind"] for owner, _, _ in pods} >= {"Deployment"}
    for owner, _, spec in pods:
        where = f"{owner['kind']}/{owner['metadata']['name']}"
        pod_security = spec["securityContext"]
        assert pod_security["runAsNonRoot"] is True, where
        assert (pod_security["runAsUser"], pod_security["runAsGroup"]) == (10001, 10001), where
        assert pod_security["seccompProfile"] == {"type": "RuntimeDefault"}, where
        # Only the secret-init hook talks to the API server.
        secret_init = owner["metadata"]["labels"]["app.kubernetes.io/component"] == "secret-init"
        assert spec["automountServiceAccountToken"] is secret_init, where
        assert spec["serviceAccountName"] in service_accounts, f"{where}: its ServiceAccount is not rendered"
        assert service_accounts[spec["serviceAccountName"]]["automountServiceAccountToken"] is False
        for host_namespace in ("hostNetwork", "hostPID", "hostIPC"):
            assert not spec.get(host_namespace), where
        emptydirs = {v["name"] for v in spec["volumes"] if "emptyDir" in v}
        for container in spec.get("initContainers", []) + spec["containers"]:
            security = container["securityContext"]
            label = f"{where}/{container['name']}"
            assert security["allowPrivilegeEscalation"] is False, label
            assert security["readOnlyRootFilesystem"] is True, label
            assert security["capabilities"] == {"drop": ["ALL"]}, label
            assert security.get("privileged", False) is False, label
            assert security.get("runAsNonRoot", pod_security["runAsNonRoot"]) is True, label
            assert security.get("runAsUser", 10001) == 10001, label
            tmp = [m for m in container["volumeMounts"] if m["mountPath"] == "/tmp"]
            assert [m["name"] in emptydirs for m in tmp] == [True], (
                f"{label}: /tmp is not a writable emptyDir"
            )


@pytest.mark.parametrize("variant", variant_params())
def test_every_container_has_cpu_memory_and_ephemeral_storage_requests_and_limits(variant: Variant) -> None:
    for owner, spec, container in rendered_variant(variant).containers():
        resources = container["resources"]
        for kind in ("requests", "limits"):
            assert set(resources[kind]) == {"cpu", "memory", "ephemeral-storage"}, (
                f"{owner['metadata']['name']}/{container['name']}"
            )
        # Every writable emptyDir (256Mi each) fits within the limit, with room for the logs.
        mounted = [v for v in spec["volumes"] if "emptyDir" in v]
        assert len(mounted) * 256 < 1024, owner["metadata"]["name"]


def test_resource_figures_are_the_ones_the_container_tests_read() -> None:
    rendered = render()
    # One uvicorn process uses at most one core; the frontend starts on half of one.
    expected = {
        "frontend": ("500m", "256Mi"),
        "backend": ("1000m", "256Mi"),
        "mcp-server": ("1000m", "256Mi"),
        "agent": ("1000m", "384Mi"),
    }
    # Requests: the typical use k8s-tests/test_08_headroom.py measures under load.
    requested = {"frontend": "75m", "backend": "100m", "mcp-server": "100m", "agent": "25m"}
    for component, (cpu, memory) in expected.items():
        container = rendered.component("Deployment", component)["spec"]["template"]["spec"]["containers"][0]
        assert container["resources"]["limits"] == {"cpu": cpu, "memory": memory, "ephemeral-storage": "1Gi"}
        assert container["resources"]["requests"] == {
            "cpu": requested[component],
            "memory": "128Mi",
            "ephemeral-storage": "64Mi",
        }


@pytest.mark.parametrize("variant", variant_params())
def test_application_containers_probe_the_contract_endpoints(variant: Variant) -> None:
    rendered = rendered_variant(variant)
    for key, (component, port) in COMPONENTS.items():
        container = rendered.component("Deployment", component)["spec"]["template"]["spec"]["containers"][0]
        assert container["ports"] == [{"name": "http", "containerPort": port, "protocol": "TCP"}]
        live, ready = ("/api/healthz", "/api/healthz") if key == "frontend" else ("/healthz", "/readyz")
        for probe, path in (("startupProbe", live), ("livenessProbe", live), ("readinessProbe", ready)):
            assert container[probe]["httpGet"] == {"path": path, "port": "http"}, f"{component} {probe}"
            assert container[probe]["periodSeconds"] >= 1
        service = rendered.component("Service", component)
        assert service["spec"]["ports"][0]["port"] == port
        assert service["spec"]["ports"][0]["targetPort"] == "http"
    statefulsets = rendered.of_kind("StatefulSet")
    for statefulset in statefulsets:
        container = statefulset["spec"]["template"]["spec"]["containers"][0]
        assert {"startupProbe", "livenessProbe", "readinessProbe"} <= set(container)


def test_frontend_binds_all_interfaces_although_kubernetes_sets_hostname() -> None:
    container = render().component("Deployment", "frontend")["spec"]["template"]["spec"]["containers"][0]
    assert env_of(container)["HOSTNAME"] == {"name": "HOSTNAME", "value": "0.0.0.0"}  # noqa: S104


@pytest.mark.parametrize("variant", variant_params())
def test_rolling_updates_keep_capacity_and_drain_before_exit(variant: Variant) -> None:
    values = user_values(variant.values_file, *variant.sets)
    rendered = render(values)
    config = rendered.config_maps_data()
    for key, (component, _) in COMPONENTS.items():
        deployment = rendered.component("Deployment", component)
        strategy = deployment["spec"]["strategy"]
        assert strategy["type"] == "RollingUpdate"
        assert strategy["rollingUpdate"]["maxUnavailable"] == 0
        assert strategy["rollingUpdate"]["maxSurge"] not in (0, "0%")
        assert deployment["spec"]["minReadySeconds"] > 0
        pod = deployment["spec"]["template"]["spec"]
        command = pod["containers"][0]["lifecycle"]["preStop"]["exec"]["command"]
        if key == "frontend":
            assert command[:2] == ["node", "-e"]
            pause = int(match_or_fail(r"setTimeout\(function \(\) \{\}, (\d+)\)", command[2])) / 1000
            drain = int(merged_values(values)["frontend"]["rollout"]["shutdownTimeoutSeconds"])
        else:
            assert command[:2] == ["python", "-c"]
            pause = int(match_or_fail(r"import time; time\.sleep\((\d+)\)", command[2]))
            config_map = pod["containers"][0]["envFrom"][0]["configMapRef"]["name"]
            drain = int(config[config_map]["SHUTDOWN_TIMEOUT_SECONDS"])
        assert pause > 0
        assert pod["terminationGracePeriodSeconds"] > pause + drain, component


def test_grace_period_shorter_than_pause_plus_drain_is_refused() -> None:
    values = user_values(extra={"backend": {"rollout": {"terminationGracePeriodSeconds": 25}}})
    with pytest.raises(Exception, match="must exceed preStopSeconds"):
        render(values)


@pytest.mark.parametrize("key", list(COMPONENTS))
def test_an_autoscaler_owns_the_replica_count(key: str) -> None:
    component = COMPONENTS[key][0]
    manual = render(user_values(extra={key: {"replicas": 3}}))
    assert manual.component("Deployment", component)["spec"]["replicas"] == 3
    assert manual.find("HorizontalPodAutoscaler", f"{RELEASE}-{component}") is None

    scaled = render(
        user_values(extra={key: {"autoscaling": {"enabled": True, "minReplicas": 2, "maxReplicas": 5}}})
    )
    assert "replicas" not in scaled.component("Deployment", component)["spec"]
    hpa = scaled.component("HorizontalPodAutoscaler", component)
    assert hpa["apiVersion"] == "autoscaling/v2"
    assert hpa["spec"]["scaleTargetRef"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": f"{RELEASE}-{component}",
    }
    assert (hpa["spec"]["minReplicas"], hpa["spec"]["maxReplicas"]) == (2, 5)
    assert {m["resource"]["name"] for m in hpa["spec"]["metrics"]} == {"cpu"}


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"replicas": 1}, False),
        ({"replicas": 2}, True),
        ({"replicas": 2, "pdb": {"enabled": False}}, False),
        ({"replicas": 1, "autoscaling": {"enabled": True, "minReplicas": 2}}, True),
        ({"replicas": 3, "autoscaling": {"enabled": True, "minReplicas": 1}}, False),
    ],
)
def test_a_disruption_budget_exists_only_for_more_than_one_pod(overrides: Obj, expected: bool) -> None:
    rendered = render(user_values(extra={"backend": overrides}))
    pdb = rendered.find("PodDisruptionBudget", f"{RELEASE}-backend")
    assert (pdb is not None) is expected
    if pdb is not None:
        assert pdb["spec"]["maxUnavailable"] == 1
        assert (
            pdb["spec"]["selector"]["matchLabels"]
            == rendered.component("Deployment", "backend")["spec"]["selector"]["matchLabels"]
        )


def test_production_example_runs_at_least_two_pods_with_autoscaling_and_budgets() -> None:
    rendered = render(user_values("values-production.yaml"))
    for component, _ in COMPONENTS.values():
        assert rendered.component("HorizontalPodAutoscaler", component)["spec"]["minReplicas"] >= 2
        assert rendered.component("PodDisruptionBudget", component)
    assert rendered.find("StatefulSet", f"{RELEASE}-postgresql") is None


def test_minikube_uses_local_dev_images_and_one_pod_each() -> None:
    rendered = render(user_values("values-minikube.yaml"))
    for component, _ in COMPONENTS.values():
        deployment = rendered.component("Deployment", component)
        container = deployment["spec"]["template"]["spec"]["containers"][0]
        assert container["image"] == f"todo-{component}:dev"
        assert container["imagePullPolicy"] == "IfNotPresent"
        assert deployment["spec"]["replicas"] == 1
    assert rendered.find("StatefulSet", f"{RELEASE}-postgresql") is not None
    assert rendered.of_kind("PodDisruptionBudget") == []


@pytest.mark.parametrize("variant", variant_params())
def test_every_object_has_the_standard_labels_and_selectors_only_stable_ones(variant: Variant) -> None:
    rendered = rendered_variant(variant)
    for obj in rendered.objects:
        labels = obj["metadata"]["labels"]
        assert set(labels) >= STANDARD_LABELS, f"{obj['kind']}/{obj['metadata']['name']}"
        assert labels["app.kubernetes.io/part-of"] == "todo"
    for obj in rendered.of_kind("Deployment") + rendered.of_kind("StatefulSet"):
        selector = obj["spec"]["selector"]["matchLabels"]
        assert set(selector) == SELECTOR_LABELS
        pod_labels = obj["spec"]["template"]["metadata"]["labels"]
        assert selector.items() <= pod_labels.items()
    for service in rendered.of_kind("Service"):
        assert set(service["spec"]["selector"]) == SELECTOR_LABELS


def test_selectors_do_not_change_when_the_chart_or_app_version_changes() -> None:
    before = render()
    after = render(user_values(extra={"global": {"image": {"tag": "9.9.9"}}, "backend": {"replicas": 4}}))
    for kind in ("Deployment", "StatefulSet"):
        for old in before.of_kind(kind):
            new = after.get(kind, old["metadata"]["name"])
            assert new["spec"]["selector"] == old["spec"]["selector"]


def test_images_come_from_the_global_registry_and_tag_unless_a_component_overrides_them() -> None:
    rendered = render(
        user_values(
            extra={
                "global": {"image": {"registry": "reg.example/todo", "tag": "2.0.0"}},
                "agent": {"image": {"tag": "2.0.1", "pullPolicy": "Always"}},
            }
        )
    )
    backend = rendered.component("Deployment", "backend")["spec"]["template"]["spec"]["containers"][0]
    agent = rendered.component("Deployment", "agent")["spec"]["template"]["spec"]["containers"][0]
    assert backend["image"] == "reg.example/todo/todo-backend:2.0.0"
    assert (agent["image"], agent["imagePullPolicy"]) == ("reg.example/todo/todo-agent:2.0.1", "Always")
    postgres = rendered.component("StatefulSet", "postgresql")["spec"]["template"]["spec"]["containers"][0]
    assert postgres["image"] == "docker.io/library/postgres:17.6-bookworm"


def test_bundled_postgresql_persists_under_the_path_every_image_major_accepts() -> None:
    statefulset = render().component("StatefulSet", "postgresql")
    spec = statefulset["spec"]
    container = spec["template"]["spec"]["containers"][0]
    mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
    assert mounts["/var/lib/postgresql"] == "data"
    assert env_of(container)["PGDATA"]["value"].startswith("/var/lib/postgresql/")
    assert "/var/run/postgresql" in mounts
    assert spec["volumeClaimTemplates"][0]["spec"]["resources"]["requests"]["storage"] == "2Gi"
    assert spec["replicas"] == 1
    tag = container["image"].rsplit(":", 1)[1]
    assert re.fullmatch(r"17\.\d+(-\w+)?", tag), "pin a PostgreSQL 17 patch release"

    ephemeral = render(user_values(extra={"postgresql": {"persistence": {"enabled": False}}}))
    spec = ephemeral.component("StatefulSet", "postgresql")["spec"]
    assert "volumeClaimTemplates" not in spec
    assert {"name": "data", "emptyDir": {}} in spec["template"]["spec"]["volumes"]


def test_ingress_routes_to_the_frontend_with_optional_host_and_tls() -> None:
    plain = render().get("Ingress", RELEASE)
    assert plain["spec"]["ingressClassName"] == "nginx"
    assert "tls" not in plain["spec"]
    assert "host" not in plain["spec"]["rules"][0]
    backend = plain["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]
    assert backend == {"name": f"{RELEASE}-frontend", "port": {"name": "http"}}

    tls = render(user_values(extra={"ingress": {"host": "todo.example.org", "tlsSecretName": "todo-tls"}}))
    spec = tls.get("Ingress", RELEASE)["spec"]
    assert spec["tls"] == [{"secretName": "todo-tls", "hosts": ["todo.example.org"]}]
    assert spec["rules"][0]["host"] == "todo.example.org"
    assert render(user_values(extra={"ingress": {"enabled": False}})).of_kind("Ingress") == []


def test_notes_tell_how_to_reach_the_app() -> None:
    notes = render_notes()
    assert "kubectl port-forward -n todo svc/todo-frontend 3000:3000" in notes
    assert "helm test todo" in notes
    hosted = render_notes(user_values(extra={"ingress": {"host": "todo.example.org", "tlsSecretName": "t"}}))
    assert "https://todo.example.org/" in hosted


def test_every_pod_template_annotation_is_a_string() -> None:
    for _, metadata, _ in render().pod_specs():
        assert all(isinstance(v, str) for v in (metadata.get("annotations") or {}).values())
    assert all(isinstance(v, str) for obj in render().objects for v in annotations_of(obj).values())
