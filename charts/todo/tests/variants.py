"""The values combinations every offline check runs against: each values file and a few `--set` variations."""

from __future__ import annotations

from dataclasses import dataclass

import pytest


@dataclass(frozen=True)
class Variant:
    values_file: str
    sets: tuple[str, ...] = ()


VARIANTS: dict[str, Variant] = {
    "defaults": Variant("values.yaml"),
    "minikube": Variant("values-minikube.yaml"),
    "production": Variant("values-production.yaml"),
    "minikube-no-extras": Variant(
        "values-minikube.yaml",
        ("networkPolicy.enabled=false,tests.enabled=false,migrations.enabled=false,ingress.enabled=false",),
    ),
    "ephemeral-db-hpa": Variant(
        "values.yaml",
        ("postgresql.persistence.enabled=false,backend.autoscaling.enabled=true,agent.replicas=3",),
    ),
    "external-db-narrow": Variant(
        "values.yaml",
        (
            "postgresql.enabled=false,secrets.existingSecret=todo-external",
            "externalDatabase.egressCidrs={18.192.0.0/16},networkPolicy.llmEgress.enabled=false",
        ),
    ),
    "metrics-real-llm-digests": Variant(
        "values.yaml",
        (
            "metrics.enabled=true,secrets.existingSecret=todo-external,agent.env.LLM_MODEL=gpt-4o-mini",
            f"backend.image.digest=sha256:{'a' * 64},postgresql.image.digest=sha256:{'b' * 64}",
        ),
    ),
    "ingress-tls-registry": Variant(
        "values.yaml",
        (
            "ingress.host=todo.example.org,ingress.tlsSecretName=todo-tls,ingress.className=traefik",
            "global.image.registry=registry.example.org/todo,global.image.tag=1.2.3",
            "global.imagePullSecrets[0].name=regcred,fullnameOverride=tasks",
        ),
    ),
}


def variant_params() -> list[object]:
    return [pytest.param(variant, id=name) for name, variant in VARIANTS.items()]
