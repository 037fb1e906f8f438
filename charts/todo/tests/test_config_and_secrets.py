"""Configuration reaches the pods (and rolls them when it changes); secrets stay in Secrets."""

from __future__ import annotations

import base64
import importlib.util
import inspect
import re
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml
from todo_common.database import create_engine
from todo_testing import catalog

from .chart import (
    CHART_DIR,
    COMPONENTS,
    SECRET_KEYS,
    VALUES_FILES,
    Obj,
    Rendered,
    annotations_of,
    render,
    user_values,
)
from .variants import Variant, variant_params

# What the services need from the Secret (docs/architecture.md, "Configuration").
SECRET_ENV = {
    "frontend": set(),
    "backend": {"DATABASE_URL", "JWT_SECRET", "INTERNAL_TOKEN"},
    "mcp-server": {"DATABASE_URL", "INTERNAL_TOKEN"},
    "agent": {"INTERNAL_TOKEN", "LLM_API_KEY"},
}
CREDENTIAL_IN_URL = re.compile(r"://[^/\s:@]+:[^/\s@]+@")


def pod_annotations(rendered: Rendered, component: str) -> dict[str, str]:
    annotations: dict[str, str] = rendered.component("Deployment", component)["spec"]["template"]["metadata"][
        "annotations"
    ]
    return annotations


def test_configmaps_carry_the_contract_configuration() -> None:
    config = render().config_maps_data()
    services = {c.name: f"http://todo-{c.name}:{c.port}" for c in catalog.components()}
    wiring = {
        (f"todo-{c.name}", env): url for c in catalog.components() for env, url in c.wiring(services).items()
    }
    assert ("todo-agent", "MCP_SERVER_URL") in wiring
    assert {key: config[key[0]][key[1]] for key in wiring} == wiring
    assert config["todo-agent"]["LLM_MODEL"] == "builtin"
    allowed_hosts = config["todo-mcp-server"]["MCP_ALLOWED_HOSTS"].split(",")
    # The Service name the backend and agent use as Host must pass the DNS-rebinding protection.
    assert {"todo-mcp-server:*", "todo-mcp-server.todo.svc.cluster.local:*", "localhost:*"} <= set(
        allowed_hosts
    )
    for name, (component, port) in COMPONENTS.items():
        data = config[f"todo-{component}"]
        assert data["PORT"] == str(port)
        if name != "frontend":
            assert data["HOST"] == "0.0.0.0"  # noqa: S104 - the value a server must bind to in a pod
            assert data["SHUTDOWN_TIMEOUT_SECONDS"] == "20"


def test_component_env_overrides_the_defaults_as_strings() -> None:
    rendered = render(
        user_values(extra={"backend": {"env": {"LOG_LEVEL": "DEBUG", "JWT_EXPIRE_MINUTES": 60}}})
    )
    data = rendered.config_maps_data()["todo-backend"]
    assert (data["LOG_LEVEL"], data["JWT_EXPIRE_MINUTES"]) == ("DEBUG", "60")


@pytest.mark.parametrize("component", ["frontend", "backend", "mcp-server", "agent"])
def test_every_deployment_reads_its_own_configmap(component: str) -> None:
    rendered = render()
    container = rendered.component("Deployment", component)["spec"]["template"]["spec"]["containers"][0]
    assert container["envFrom"] == [{"configMapRef": {"name": f"todo-{component}"}}]
    assert rendered.find("ConfigMap", f"todo-{component}") is not None


@pytest.mark.parametrize("key", list(COMPONENTS))
def test_changing_a_config_value_rolls_exactly_that_component(key: str) -> None:
    before = render()
    again = render()
    after = render(user_values(extra={key: {"env": {"LOG_LEVEL": "DEBUG"}}}))
    for other_key, (component, _) in COMPONENTS.items():
        old = pod_annotations(before, component)["checksum/config"]
        assert pod_annotations(again, component)["checksum/config"] == old, (
            "the checksum must be deterministic"
        )
        changed = pod_annotations(after, component)["checksum/config"] != old
        assert changed is (other_key == key), component


def test_changing_the_secret_rolls_the_pods_that_use_it() -> None:
    first = render(user_values(extra={"secrets": {"existingSecret": "todo-a"}}))
    second = render(user_values(extra={"secrets": {"existingSecret": "todo-b"}}))
    for component, keys in SECRET_ENV.items():
        if keys:
            assert (
                pod_annotations(first, component)["checksum/secret"]
                != pod_annotations(second, component)["checksum/secret"]
            )
        else:
            assert "checksum/secret" not in pod_annotations(first, component)


def test_all_checksums_of_one_render_see_the_same_generated_secret() -> None:
    rendered = render()
    checksums = {pod_annotations(rendered, c)["checksum/secret"] for c, keys in SECRET_ENV.items() if keys}
    checksums.add(
        rendered.component("StatefulSet", "postgresql")["spec"]["template"]["metadata"]["annotations"][
            "checksum/secret"
        ]
    )
    assert len(checksums) == 1


def load_secret_init() -> ModuleType:
    spec = importlib.util.spec_from_file_location("secret_init", CHART_DIR / "files" / "secret_init.py")
    assert spec
    assert spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("variant", variant_params())
def test_every_render_is_the_same(variant: Variant) -> None:
    """What Argo CD and Flux see: `helm template` twice gives the same manifests (no credential rotates)."""
    values = user_values(variant.values_file, *variant.sets)
    assert render(values).objects == render(values).objects
    assert render(values).of_kind("Secret") == [], "a generated Secret is created by the hook, not rendered"


def test_the_secret_init_hook_draws_complete_strong_values_once_per_secret() -> None:
    secret_init = load_secret_init()
    values = secret_init.generate("todo-postgresql", "todo", "todo")
    assert (
        set(values)
        == set(secret_init.KEYS)
        == {"JWT_SECRET", "INTERNAL_TOKEN", "POSTGRES_PASSWORD", "DATABASE_URL"}
    )
    assert len(values["JWT_SECRET"]) >= 32
    assert len(values["INTERNAL_TOKEN"]) >= 16
    assert (
        values["DATABASE_URL"] == f"postgresql://todo:{values['POSTGRES_PASSWORD']}@todo-postgresql:5432/todo"
    )
    assert secret_init.generate("h", "u", "d")["JWT_SECRET"] != values["JWT_SECRET"]
    encoded = secret_init.secret_object("todo-secrets", {"a": "b"}, values)
    assert base64.b64decode(encoded["data"]["JWT_SECRET"]).decode() == values["JWT_SECRET"]


class FakeApi:
    """The API server's answers for one Secret: the chart tests have no cluster (k8s-tests use a real one)."""

    def __init__(self, *answers: tuple[int, Any]) -> None:
        self.answers = list(answers)
        self.calls: list[tuple[str, str]] = []

    def call(self, method: str, path: str, body: Obj | None = None) -> tuple[int, Any]:
        self.calls.append((method, path))
        return self.answers.pop(0)


def test_the_secret_init_hook_never_overwrites_a_secret() -> None:
    secret_init = load_secret_init()
    fresh = secret_init.generate("h", "u", "d")
    complete = {"data": dict.fromkeys(secret_init.KEYS, "eA==")}
    api = FakeApi((200, complete))
    assert secret_init.ensure(api, "s", {}, fresh) == "Secret s exists: left unchanged"
    assert api.calls == [("GET", "/s")]
    api = FakeApi((404, "not found"), (201, {}))
    assert secret_init.ensure(api, "s", {}, fresh) == "created Secret s"
    assert api.calls == [("GET", "/s"), ("POST", "")]
    # Created meanwhile by a concurrent run: read again, do not overwrite.
    api = FakeApi((404, "not found"), (409, "exists"), (200, complete))
    assert secret_init.ensure(api, "s", {}, fresh) == "Secret s exists: left unchanged"
    with pytest.raises(
        secret_init.InitError, match=r"Secret s exists but lacks POSTGRES_PASSWORD, DATABASE_URL"
    ):
        secret_init.ensure(
            FakeApi((200, {"data": {"JWT_SECRET": "eA==", "INTERNAL_TOKEN": "eA=="}})), "s", {}, fresh
        )
    with pytest.raises(secret_init.InitError, match=r"reading Secret s: HTTP 403"):
        secret_init.ensure(FakeApi((403, "forbidden")), "s", {}, fresh)


def test_the_secret_init_hook_runs_first_with_least_privilege() -> None:
    rendered = render()
    job = rendered.component("Job", "secret-init")
    hook = annotations_of(job)
    assert hook["helm.sh/hook"] == "pre-install,pre-upgrade"
    migrations = annotations_of(rendered.component("Job", "migrations"))
    assert int(hook["helm.sh/hook-weight"]) < int(migrations["helm.sh/hook-weight"])
    for kind in ("ServiceAccount", "Role", "RoleBinding", "ConfigMap", "NetworkPolicy"):
        support = annotations_of(rendered.component(kind, "secret-init"))
        assert support["helm.sh/hook"] == "pre-install,pre-upgrade", kind
        assert int(support["helm.sh/hook-weight"]) < int(hook["helm.sh/hook-weight"]), kind
    rules = rendered.component("Role", "secret-init")["rules"]
    assert rules == [
        {"apiGroups": [""], "resources": ["secrets"], "resourceNames": ["todo-secrets"], "verbs": ["get"]},
        {"apiGroups": [""], "resources": ["secrets"], "verbs": ["create"]},
    ]
    spec = job["spec"]["template"]["spec"]
    env = {e["name"]: e["value"] for e in spec["containers"][0]["env"]}
    assert env["SECRET_NAME"] == "todo-secrets"
    assert env["POSTGRES_HOST"] == rendered.component("StatefulSet", "postgresql")["metadata"]["name"]
    # Only this pod gets an API token.
    tokens = [
        owner["metadata"]["name"]
        for owner, _, pod in rendered.pod_specs()
        if pod["automountServiceAccountToken"]
    ]
    assert tokens == ["todo-secret-init"]
    script = rendered.component("ConfigMap", "secret-init")["data"]["secret_init.py"]
    assert script == (CHART_DIR / "files" / "secret_init.py").read_text()
    assert (
        render(user_values(extra={"secrets": {"existingSecret": "mine"}})).find("Job", "todo-secret-init")
        is None
    )


@pytest.mark.parametrize("existing", ["", "todo-external"])
def test_services_take_exactly_their_secrets_from_the_secret(existing: str) -> None:
    rendered = render(user_values(extra={"secrets": {"existingSecret": existing}}))
    secret_name = existing or "todo-secrets"
    assert (rendered.find("Job", "todo-secret-init") is None) is bool(existing)
    for component, keys in SECRET_ENV.items():
        container = rendered.component("Deployment", component)["spec"]["template"]["spec"]["containers"][0]
        from_secret = {
            e["name"]: e["valueFrom"]["secretKeyRef"]
            for e in container["env"]
            if "secretKeyRef" in e.get("valueFrom", {})
        }
        assert set(from_secret) == keys, component
        for name, ref in from_secret.items():
            assert (ref["name"], ref["key"]) == (secret_name, name)
            assert ref.get("optional", False) is (name == "LLM_API_KEY")


def walk(node: Any, path: str = "") -> list[tuple[str, Any]]:
    if isinstance(node, dict):
        return [item for key, value in node.items() for item in walk(value, f"{path}.{key}")] + [(path, node)]
    if isinstance(node, list):
        return [item for index, value in enumerate(node) for item in walk(value, f"{path}[{index}]")]
    return [(path, node)]


@pytest.mark.parametrize("values_file", VALUES_FILES)
def test_no_values_file_holds_a_secret(values_file: str) -> None:
    values = yaml.safe_load(Path(CHART_DIR / values_file).read_text())
    for path, node in walk(values):
        if isinstance(node, dict):
            leaked = set(node) & set(SECRET_KEYS)
            assert not leaked, f"{values_file}: {path} sets {leaked}"
        if isinstance(node, str):
            assert not CREDENTIAL_IN_URL.search(node), f"{values_file}: {path} holds a URL with credentials"


@pytest.mark.parametrize("variant", variant_params())
def test_no_secret_reaches_a_configmap(variant: Variant) -> None:
    rendered = render(user_values(variant.values_file, *variant.sets))
    # The secret-init hook's ConfigMap carries its script (which builds DATABASE_URL), not configuration.
    scripts = {
        cm["metadata"]["name"] for cm in rendered.of_kind("ConfigMap") if "secret_init.py" in cm["data"]
    }
    for name, data in rendered.config_maps_data().items():
        if name in scripts:
            continue
        assert not set(data) & set(SECRET_KEYS), name
        for key, value in data.items():
            assert not CREDENTIAL_IN_URL.search(value), (
                f"ConfigMap {name}: {key} holds a URL with credentials"
            )


def test_external_database_without_an_existing_secret_is_refused_with_a_clear_message() -> None:
    with pytest.raises(Exception, match=r"existingSecret"):
        render(user_values(extra={"postgresql": {"enabled": False}}))


def test_a_real_llm_without_an_api_key_secret_is_refused_with_a_clear_message() -> None:
    with pytest.raises(Exception, match=r"LLM_MODEL=gpt-4o-mini needs an API key"):
        render(user_values(extra={"agent": {"env": {"LLM_MODEL": "gpt-4o-mini"}}}))
    rendered = render(
        user_values(
            extra={"agent": {"env": {"LLM_MODEL": "gpt-4o-mini"}}, "secrets": {"existingSecret": "s"}}
        )
    )
    assert rendered.config_maps_data()["todo-agent"]["LLM_MODEL"] == "gpt-4o-mini"


def secret_refs(obj: Obj) -> set[str]:
    return {
        ref["name"]
        for _, node in walk(obj)
        if isinstance(node, dict)
        for ref in [node.get("secretKeyRef")]
        if isinstance(ref, dict)
    }


def test_the_bundled_database_password_comes_from_the_same_secret() -> None:
    statefulset = render().component("StatefulSet", "postgresql")
    assert secret_refs(statefulset) == {"todo-secrets"}


def test_postgresql_allows_the_connections_every_pod_may_open() -> None:
    # 15 per backend/mcp-server pod: the services' pool (todo_common.database), counted by the chart's check.
    pool = inspect.signature(create_engine).parameters
    assert pool["pool_size"].default + pool["max_overflow"].default == 15
    statefulset = render(user_values()).component("StatefulSet", "postgresql")
    assert statefulset["spec"]["template"]["spec"]["containers"][0]["args"] == ["-c", "max_connections=200"]
    # values-production.yaml with the bundled database: backend and mcp-server autoscale to 6 pods each,
    # 12 x 15 + 5 = 185 <= 200.
    bundled: dict[str, Any] = {"postgresql": {"enabled": True}}
    render(user_values("values-production.yaml", extra=bundled))
    with pytest.raises(Exception, match=r"postgresql.maxConnections=180 is below .* \(185: 15 per pod"):
        render(
            user_values(
                "values-production.yaml", extra={"postgresql": {"enabled": True, "maxConnections": 180}}
            )
        )
    # An external database is not the chart's to size.
    render(user_values("values-production.yaml", extra={"postgresql": {"maxConnections": 20}}))
    # Without autoscaling the replicas count: 2 pods x 15 + 5 = 35.
    render(user_values(extra={"postgresql": {"maxConnections": 35}}))
    with pytest.raises(Exception, match=r"maxConnections=34 is below"):
        render(user_values(extra={"postgresql": {"maxConnections": 34}}))
