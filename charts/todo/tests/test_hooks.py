"""The schema-migration hook and the `helm test` pods."""

from __future__ import annotations

import pytest
from todo_testing import catalog

from .chart import CHART_DIR, Obj, Rendered, annotations_of, render, user_values

HELM_DEFAULT_TIMEOUT_SECONDS = 300
EXTERNAL_DB = {"postgresql": {"enabled": False}, "secrets": {"existingSecret": "todo-external"}}


def hook_phases(obj: Obj) -> set[str]:
    return set(annotations_of(obj).get("helm.sh/hook", "").split(",")) - {""}


def hook_weight(obj: Obj) -> int:
    return int(annotations_of(obj).get("helm.sh/hook-weight", "0"))


def migrations_job(rendered: Rendered) -> Obj:
    return rendered.component("Job", "migrations")


def test_migrations_run_both_schemas_with_bounded_retries_and_cleanup() -> None:
    rendered = render()
    job = migrations_job(rendered)
    spec = job["spec"]
    assert spec["backoffLimit"] == 2
    # Below Helm's default 5-minute wait: a stuck migration fails with its own reason, not Helm's timeout.
    assert spec["activeDeadlineSeconds"] == 270 < HELM_DEFAULT_TIMEOUT_SECONDS
    assert spec["ttlSecondsAfterFinished"] == 3600
    pod = spec["template"]["spec"]
    assert pod["restartPolicy"] == "Never"
    steps = pod["initContainers"] + pod["containers"]
    assert [(c["image"], c["command"]) for c in steps] == [
        (c.image_ref("0.1.0"), ["python", "-m", c.migrations]) for c in catalog.components() if c.migrations
    ]
    assert len(steps) == 2
    for container in steps:
        url = next(e for e in container["env"] if e["name"] == "DATABASE_URL")
        assert url["valueFrom"]["secretKeyRef"] == {"name": "todo-secrets", "key": "DATABASE_URL"}
    assert annotations_of(job)["helm.sh/hook-delete-policy"] == "before-hook-creation"


def test_migrations_can_use_a_direct_database_url() -> None:
    rendered = render(
        user_values(extra={**EXTERNAL_DB, "migrations": {"databaseUrlKey": "DATABASE_DIRECT_URL"}})
    )
    for container in migrations_job(rendered)["spec"]["template"]["spec"]["containers"]:
        url = next(e for e in container["env"] if e["name"] == "DATABASE_URL")
        assert url["valueFrom"]["secretKeyRef"] == {"name": "todo-external", "key": "DATABASE_DIRECT_URL"}


@pytest.mark.parametrize(
    ("values", "first_run"),
    [({}, "post-install"), (EXTERNAL_DB, "pre-install")],
    ids=["bundled-db", "external-db"],
)
def test_migrations_only_need_what_exists_when_they_run(values: Obj, first_run: str) -> None:
    """Before every upgrade; on the first install only once everything the Job uses exists."""
    rendered = render(user_values(extra=values))
    job = migrations_job(rendered)
    assert hook_phases(job) == {first_run, "pre-upgrade"}
    pod = job["spec"]["template"]["spec"]
    account = rendered.get("ServiceAccount", pod["serviceAccountName"])
    assert hook_phases(account) == hook_phases(job), (
        "the Job's ServiceAccount must exist in every phase it runs"
    )
    assert hook_weight(account) < hook_weight(job)
    secret_names = {
        e["valueFrom"]["secretKeyRef"]["name"]
        for c in pod["initContainers"] + pod["containers"]
        for e in c["env"]
        if "valueFrom" in e
    }
    if first_run == "pre-install":
        # Nothing the release creates exists yet: the Secret must come from outside the chart.
        assert all(rendered.find("Secret", name) is None for name in secret_names)
    else:
        # The generated Secret comes from the pre-install secret-init hook; the bundled database is an
        # ordinary release object, there after install.
        assert secret_names == {"todo-secrets"}
        creator = rendered.component("Job", "secret-init")
        assert "pre-install" in hook_phases(creator)
        assert not hook_phases(rendered.component("StatefulSet", "postgresql"))


def test_migrations_can_be_turned_off() -> None:
    rendered = render(user_values(extra={"migrations": {"enabled": False}}))
    assert rendered.find("Job", "todo-migrations") is None
    assert rendered.find("ServiceAccount", "todo-migrations") is None


def helm_test_pods(rendered: Rendered) -> list[Obj]:
    return [p for p in rendered.of_kind("Pod") if hook_phases(p) == {"test"}]


def test_helm_test_checks_every_service_then_runs_the_user_flow() -> None:
    rendered = render()
    pods = sorted(helm_test_pods(rendered), key=hook_weight)
    assert [p["metadata"]["name"] for p in pods] == ["todo-tests-readiness", "todo-tests-user-flow"]
    readiness, flow = (p["spec"]["containers"][0] for p in pods)
    urls = dict(item.split("=", 1) for item in readiness["env"][0]["value"].split(","))
    components = catalog.components()
    assert urls == {c.name: f"http://todo-{c.name}:{c.port}{c.health.readiness}" for c in components}
    assert flow["env"] == [
        {"name": "BACKEND_URL", "value": f"http://todo-backend:{catalog.component('backend').port}"},
        {"name": "CHAT_TURN", "value": "true"},
    ]
    for pod in pods:
        container = pod["spec"]["containers"][0]
        # No image can be pulled in test clusters: the project's own image runs a stdlib script.
        assert container["image"] == "todo-backend:0.1.0"
        assert pod["spec"]["restartPolicy"] == "Never"
        assert pod["spec"]["activeDeadlineSeconds"] > 0
        assert "hook-succeeded" in annotations_of(pod)["helm.sh/hook-delete-policy"]


def test_helm_test_scripts_are_shipped_verbatim() -> None:
    rendered = render()
    scripts = rendered.component("ConfigMap", "tests")["data"]
    shipped = {path.name: path.read_text() for path in (CHART_DIR / "files" / "tests").glob("*.py")}
    assert scripts == shipped
    for pod in helm_test_pods(rendered):
        container = pod["spec"]["containers"][0]
        assert container["command"][0] == "python"
        mount = next(m for m in container["volumeMounts"] if m["name"] == "scripts")
        script = container["command"][1]
        assert script.startswith(mount["mountPath"] + "/")
        assert script.rsplit("/", 1)[1] in scripts
        volume = next(v for v in pod["spec"]["volumes"] if v["name"] == "scripts")
        assert volume["configMap"]["name"] == rendered.component("ConfigMap", "tests")["metadata"]["name"]


def test_helm_tests_can_be_turned_off() -> None:
    rendered = render(user_values(extra={"tests": {"enabled": False}}))
    assert helm_test_pods(rendered) == []
    assert rendered.find("ConfigMap", "todo-tests") is None


def test_helm_test_never_calls_a_paid_llm_nor_signs_up_in_production() -> None:
    real_llm = user_values(
        extra={"agent": {"env": {"LLM_MODEL": "gpt-4o-mini"}}, "secrets": {"existingSecret": "s"}}
    )
    flow = render(real_llm).get("Pod", "todo-tests-user-flow")["spec"]["containers"][0]
    assert {"name": "CHAT_TURN", "value": "false"} in flow["env"]
    production = helm_test_pods(render(user_values("values-production.yaml")))
    assert [p["metadata"]["name"] for p in production] == ["todo-tests-readiness"]
