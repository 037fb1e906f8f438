"""Day-2 operations: autoscaling that settles, metrics scraping, digests, long names, stable pod templates."""

from __future__ import annotations

import pytest

from .chart import COMPONENTS, RELEASE, Obj, Rendered, render, user_values

DIGEST = "sha256:" + "0123456789abcdef" * 4


def hpa_of(rendered: Rendered, component: str) -> Obj:
    spec: Obj = rendered.component("HorizontalPodAutoscaler", component)["spec"]
    return spec


def metric_names(spec: Obj) -> set[str]:
    return {m["resource"]["name"] for m in spec["metrics"]}


def test_each_hpa_metric_is_optional_and_behavior_is_passed_through() -> None:
    behavior: Obj = {
        "scaleDown": {
            "stabilizationWindowSeconds": 600,
            "policies": [{"type": "Pods", "value": 1, "periodSeconds": 120}],
        }
    }
    cases: dict[str, tuple[Obj, set[str]]] = {
        "cpu": ({"targetCPUUtilizationPercentage": 60}, {"cpu"}),
        "memory-only": (
            {"targetCPUUtilizationPercentage": None, "targetMemoryUtilizationPercentage": 90},
            {"memory"},
        ),
        "both": ({"targetMemoryUtilizationPercentage": 90}, {"cpu", "memory"}),
    }
    for name, (targets, expected) in cases.items():
        autoscaling = {"enabled": True, **targets, "behavior": behavior}
        spec = hpa_of(render(user_values(extra={"backend": {"autoscaling": autoscaling}})), "backend")
        assert metric_names(spec) == expected, name
        assert spec["behavior"] == behavior
    plain = hpa_of(render(user_values(extra={"backend": {"autoscaling": {"enabled": True}}})), "backend")
    assert "behavior" not in plain


def test_an_hpa_without_any_metric_is_refused() -> None:
    none = {"enabled": True, "targetCPUUtilizationPercentage": None}
    with pytest.raises(Exception, match=r"backend.autoscaling needs targetCPUUtilizationPercentage or"):
        render(user_values(extra={"backend": {"autoscaling": none}}))


def test_production_autoscaling_follows_cpu_only_and_scales_in_gently() -> None:
    """Memory per pod does not fall when pods are added: a memory target over the idle footprint ratchets."""
    rendered = render(user_values("values-production.yaml"))
    for component, _ in COMPONENTS.values():
        spec = hpa_of(rendered, component)
        assert metric_names(spec) == {"cpu"}, component
        assert spec["behavior"]["scaleDown"]["stabilizationWindowSeconds"] >= 300
        assert spec["behavior"]["scaleDown"]["policies"] == [
            {"type": "Pods", "value": 1, "periodSeconds": 60}
        ]


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (
            {"backend": {"resources": {"requests": {"cpu": "2", "memory": "128Mi"}}}},
            r"backend.resources.requests.cpu \(2\) exceeds backend.resources.limits.cpu \(1000m\)",
        ),
        (
            {"agent": {"resources": {"requests": {"cpu": "50m", "memory": "1Gi"}}}},
            r"agent.resources.requests.memory \(1Gi\) exceeds agent.resources.limits.memory \(384Mi\)",
        ),
        (
            {"postgresql": {"resources": {"requests": {"cpu": "1500m", "memory": "256Mi"}}}},
            r"postgresql.resources.requests.cpu \(1500m\) exceeds",
        ),
        (
            {
                "backend": {
                    "resources": {"requests": {"cpu": "50m", "memory": "128Mi", "ephemeral-storage": "2Gi"}}
                }
            },
            r"requests.ephemeral-storage \(2Gi\) exceeds backend.resources.limits.ephemeral-storage \(1Gi\)",
        ),
        (
            {"frontend": {"autoscaling": {"enabled": True, "minReplicas": 5, "maxReplicas": 3}}},
            r"frontend.autoscaling.minReplicas \(5\) exceeds frontend.autoscaling.maxReplicas \(3\)",
        ),
    ],
)
def test_values_the_api_server_would_reject_fail_at_render_with_the_path(values: Obj, message: str) -> None:
    with pytest.raises(Exception, match=message):
        render(user_values(extra=values))


def test_equal_or_differently_written_quantities_are_accepted() -> None:
    render(user_values(extra={"backend": {"resources": {"requests": {"cpu": "1", "memory": "0.25Gi"}}}}))
    render(user_values(extra={"backend": {"resources": {"requests": {"cpu": 0.5, "memory": "256M"}}}}))


def pod_template_labels(rendered: Rendered) -> list[tuple[str, dict[str, str]]]:
    return [
        (f"{owner['kind']}/{owner['metadata']['name']}", meta["labels"])
        for owner, meta, _ in rendered.pod_specs()
        if owner["kind"] != "Pod"
    ]


def test_a_chart_version_bump_alone_restarts_no_pod() -> None:
    """Pod templates carry no chart or app version label: only a real change rolls the pods."""
    for where, labels in pod_template_labels(render(user_values("values-production.yaml"))):
        assert "helm.sh/chart" not in labels, where
        assert "app.kubernetes.io/version" not in labels, where
        assert labels["app.kubernetes.io/managed-by"] == "Helm", where


def test_images_can_be_pinned_by_digest() -> None:
    rendered = render(
        user_values(
            extra={
                "global": {"image": {"registry": "ghcr.io/acme", "tag": "1.2.0"}},
                "backend": {"image": {"digest": DIGEST}},
                "postgresql": {"image": {"digest": DIGEST}},
            }
        )
    )
    backend = rendered.component("Deployment", "backend")["spec"]["template"]["spec"]["containers"][0]
    assert backend["image"] == f"ghcr.io/acme/todo-backend:1.2.0@{DIGEST}"
    postgres = rendered.component("StatefulSet", "postgresql")["spec"]["template"]["spec"]["containers"][0]
    assert postgres["image"] == f"docker.io/library/postgres:17.6-bookworm@{DIGEST}"
    agent = rendered.component("Deployment", "agent")["spec"]["template"]["spec"]["containers"][0]
    assert agent["image"] == "ghcr.io/acme/todo-agent:1.2.0"
    # The migrations of the backend's schema run the same pinned image.
    migrations = rendered.component("Job", "migrations")["spec"]["template"]["spec"]["containers"][0]
    assert migrations["image"] == backend["image"]


# Helm's longest release name (53), and the lengths at which the bundled PostgreSQL used to break.
@pytest.mark.parametrize(
    "release", ["r" * 37, "r" * 39, "a-very-long-release-name-for-the-todo-chart-1234567"[:53]]
)
def test_long_release_names_stay_within_kubernetes_limits(release: str) -> None:
    rendered = render(release=release)
    statefulset = rendered.component("StatefulSet", "postgresql")
    # Pods get controller-revision-hash=<statefulset>-<10-character hash>, a label value (<= 63).
    assert len(statefulset["metadata"]["name"]) + 11 <= 63
    for service in rendered.of_kind("Service"):  # DNS labels
        assert len(service["metadata"]["name"]) <= 63, service["metadata"]["name"]
    headless = statefulset["spec"]["serviceName"]
    assert rendered.get("Service", headless)["spec"]["clusterIP"] == "None"
    secret_init = rendered.component("Job", "secret-init")["spec"]["template"]["spec"]["containers"][0]
    host = next(e["value"] for e in secret_init["env"] if e["name"] == "POSTGRES_HOST")
    assert rendered.get("Service", host)["spec"]["selector"]["app.kubernetes.io/component"] == "postgresql"


def test_short_release_names_keep_their_object_names() -> None:
    """Upgrades of existing releases keep their StatefulSet (and so its volume)."""
    rendered = render()
    assert rendered.component("StatefulSet", "postgresql")["metadata"]["name"] == f"{RELEASE}-postgresql"
    assert (
        render(release="shop").component("StatefulSet", "postgresql")["metadata"]["name"]
        == "shop-todo-postgresql"
    )


def test_service_monitors_only_when_asked() -> None:
    assert render(user_values(extra={"metrics": {"enabled": True}})).of_kind("ServiceMonitor") == []
    rendered = render(
        user_values(
            extra={
                "metrics": {
                    "enabled": True,
                    "serviceMonitor": {"enabled": True, "labels": {"release": "prom"}},
                }
            }
        )
    )
    monitors = {
        m["metadata"]["labels"]["app.kubernetes.io/component"]: m for m in rendered.of_kind("ServiceMonitor")
    }
    assert set(monitors) == {"frontend", "backend", "mcp-server", "agent"}
    for component, monitor in monitors.items():
        service = rendered.component("Service", component)
        assert monitor["metadata"]["labels"]["release"] == "prom"
        assert monitor["spec"]["selector"]["matchLabels"].items() <= service["metadata"]["labels"].items()
        (endpoint,) = monitor["spec"]["endpoints"]
        assert endpoint["port"] == service["spec"]["ports"][0]["name"]
        assert endpoint["path"] == ("/api/metrics" if component == "frontend" else "/metrics")
    off = {"metrics": {"enabled": False, "serviceMonitor": {"enabled": True}}}
    assert render(user_values(extra=off)).of_kind("ServiceMonitor") == []
