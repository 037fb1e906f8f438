"""values.schema.json turns bad values into a clear error at install, upgrade, lint and template time."""

from __future__ import annotations

import json

import helm_python as helm
import pytest

from .chart import CHART_DIR, VALUES_FILES, Obj, render, user_values, validate_values


def test_schema_is_draft_07() -> None:
    schema = json.loads((CHART_DIR / "values.schema.json").read_text())
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"


@pytest.mark.parametrize("values_file", VALUES_FILES)
def test_every_values_file_is_accepted(values_file: str) -> None:
    validate_values(user_values(values_file))


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"backend": {"replicas": "two"}}, "/backend/replicas': got string, want integer"),
        ({"backend": {"replicas": 0}}, "/backend/replicas': minimum"),
        ({"mcp": {"replicas": 1}}, "additional properties 'mcp' not allowed"),
        ({"mcp-server": {}}, "additional properties 'mcp-server' not allowed"),
        ({"agent": {"replica": 2}}, "additional properties 'replica' not allowed"),
        (
            {"frontend": {"resources": {"limits": {"cpu": "lots", "memory": "256Mi"}}}},
            "/frontend/resources/limits/cpu'",
        ),
        ({"frontend": {"resources": {"limits": None}}}, "missing property 'limits'"),
        ({"backend": {"image": {"pullPolicy": "Sometimes"}}}, "/backend/image/pullPolicy'"),
        (
            {"agent": {"autoscaling": {"enabled": "yes"}}},
            "/agent/autoscaling/enabled': got string, want boolean",
        ),
        ({"agent": {"env": {"LLM_API_KEY": "sk-123"}}}, "/agent/env/LLM_API_KEY'"),
        ({"backend": {"env": {"JWT_SECRET": "x" * 40}}}, "/backend/env/JWT_SECRET'"),
        ({"backend": {"env": {"PORT": "9000"}}}, "/backend/env/PORT'"),
        ({"backend": {"env": {"LOG_LEVEL": ["DEBUG"]}}}, "/backend/env/LOG_LEVEL'"),
        ({"backend": {"rollout": {"maxSurge": 0}}}, "/backend/rollout/maxSurge'"),
        ({"postgresql": {"enabled": False}}, "/secrets/existingSecret': minLength"),
        ({"networkPolicy": {"llmEgress": {"cidr": "everywhere"}}}, "/networkPolicy/llmEgress/cidr'"),
        ({"ingress": {"host": "Not A Host"}}, "/ingress/host'"),
        ({"migrations": {"databaseUrlKey": "JWT_SECRET"}}, "/migrations/databaseUrlKey'"),
        ({"networkPolicy": {"llmEgress": {"cidr": "10.0.0.300/8"}}}, "/networkPolicy/llmEgress/cidr'"),
        ({"networkPolicy": {"llmEgress": {"except": ["10.0.0.0/33"]}}}, "/networkPolicy/llmEgress/except/0'"),
        ({"externalDatabase": {"egressCidrs": ["db.example.com/32"]}}, "/externalDatabase/egressCidrs/0'"),
        ({"backend": {"securityContext": {"privileged": True}}}, "/backend/securityContext/privileged'"),
        ({"agent": {"securityContext": {"runAsUser": 0}}}, "/agent/securityContext/runAsUser'"),
        ({"frontend": {"podSecurityContext": {"runAsUser": 0}}}, "/frontend/podSecurityContext/runAsUser'"),
        (
            {"postgresql": {"securityContext": {"allowPrivilegeEscalation": True}}},
            "/postgresql/securityContext",
        ),
        (
            {"global": {"containerSecurityContext": {"capabilities": {"add": ["SYS_ADMIN"]}}}},
            "/global/containerSecurityContext/capabilities/add/0'",
        ),
        (
            {"backend": {"extraEnv": [{"name": "JWT_SECRET", "value": "plain"}]}},
            "/backend/extraEnv/0/value'",
        ),
        ({"backend": {"env": {"jwt_secret": "x" * 40}}}, "/backend/env/jwt_secret'"),
        ({"agent": {"env": {"openai_api_key": "sk-1"}}}, "/agent/env/openai_api_key'"),
        (
            {"backend": {"podLabels": {"app.kubernetes.io/component": "frontend"}}},
            "/backend/podLabels/app.kubernetes.io~1component'",
        ),
        ({"backend": {"pdb": {"maxUnavailable": 0}}}, "/backend/pdb/maxUnavailable'"),
        ({"backend": {"pdb": {"maxUnavailable": "0%"}}}, "/backend/pdb/maxUnavailable'"),
        ({"backend": {"image": {"digest": "sha256:abc"}}}, "/backend/image/digest'"),
        (
            {"backend": {"autoscaling": {"behavior": {"scaleDown": {"window": 1}}}}},
            "/backend/autoscaling/behavior/scaleDown'",
        ),
        ({"metrics": {"serviceMonitor": {"enabled": "maybe"}}}, "/metrics/serviceMonitor/enabled'"),
    ],
)
def test_schema_rejects_bad_values_with_the_offending_key(values: Obj, message: str) -> None:
    with pytest.raises(helm.HelmValuesError) as error:
        validate_values(user_values(extra=values))
    assert message in str(error.value)
    # The same check guards rendering (helm install/upgrade/template).
    with pytest.raises(helm.HelmError):
        render(user_values(extra=values))


def test_schema_accepts_what_the_restricted_profile_allows() -> None:
    validate_values(
        user_values(
            extra={
                "backend": {
                    "extraEnv": [
                        {"name": "LLM_API_KEY", "valueFrom": {"secretKeyRef": {"name": "llm", "key": "key"}}},
                        {"name": "FEATURE_X", "value": "on"},
                    ],
                    "securityContext": {
                        "runAsUser": 20000,
                        "capabilities": {"drop": ["ALL"], "add": ["NET_BIND_SERVICE"]},
                    },
                    "podLabels": {"team": "tasks"},
                    "env": {"JWT_EXPIRE_MINUTES": 60},
                    "pdb": {"maxUnavailable": "50%"},
                },
                "networkPolicy": {
                    "llmEgress": {"cidr": "203.0.113.0/24", "ipv6Cidr": "2001:db8::/32", "ipv6Except": []}
                },
            }
        )
    )
