"""Helm hook (pre-install, pre-upgrade): create the release's Secret when it is missing; never change one.

The random values are drawn here, in the cluster, so the chart renders the same manifests every time
(`helm template`, Argo CD, Flux) and a sync never rotates a credential. Standard library only: it runs in
the project's todo-backend image with the pod's service account (get this Secret, create Secrets).
Configuration: SECRET_NAME, SECRET_LABELS (JSON object), POSTGRES_HOST, POSTGRES_USER, POSTGRES_DB.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import ssl
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

ACCOUNT = Path("/var/run/secrets/kubernetes.io/serviceaccount")
KEYS = ("JWT_SECRET", "INTERNAL_TOKEN", "POSTGRES_PASSWORD", "DATABASE_URL")


class InitError(Exception):
    """The Secret could not be read or created, or an existing one lacks keys."""


def generate(host: str, user: str, database: str) -> dict[str, str]:
    """Fresh credentials; URL-safe characters only, since the password goes into DATABASE_URL as is."""
    password = secrets.token_urlsafe(24)
    return {
        "JWT_SECRET": secrets.token_urlsafe(48),
        "INTERNAL_TOKEN": secrets.token_urlsafe(30),
        "POSTGRES_PASSWORD": password,
        "DATABASE_URL": f"postgresql://{user}:{password}@{host}:5432/{database}",
    }


def secret_object(name: str, labels: dict[str, str], data: dict[str, str]) -> dict[str, Any]:
    encoded = {key: base64.b64encode(value.encode()).decode() for key, value in data.items()}
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": name, "labels": labels},
        "type": "Opaque",
        "data": encoded,
    }


class Api:
    """The API server, as the pod's service account."""

    def __init__(self, account: Path = ACCOUNT) -> None:
        host = os.environ["KUBERNETES_SERVICE_HOST"]
        host = f"[{host}]" if ":" in host else host
        self.base = f"https://{host}:{os.environ['KUBERNETES_SERVICE_PORT']}"
        self.namespace = (account / "namespace").read_text().strip()
        self.token = (account / "token").read_text().strip()
        self.tls = ssl.create_default_context(cafile=str(account / "ca.crt"))

    def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> tuple[int, Any]:
        url = f"{self.base}/api/v1/namespaces/{self.namespace}/secrets{path}"
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(url, data=data, method=method)  # noqa: S310 - https, built above
        request.add_header("Authorization", f"Bearer {self.token}")
        request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=30, context=self.tls) as response:  # noqa: S310
                return int(response.status), json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace")[:500]


def first_read(api: Api, name: str, timeout_seconds: float = 30.0) -> tuple[int, Any]:
    """Read the Secret, retrying only while the API server cannot be reached at all: a NetworkPolicy
    enforcer (kube-router) lets a new pod's traffic through a second or two after the pod starts."""
    deadline = time.monotonic() + timeout_seconds
    while True:
        try:
            return api.call("GET", f"/{name}")
        except OSError:
            if time.monotonic() >= deadline:
                raise
            time.sleep(1)


def ensure(api: Api, name: str, labels: dict[str, str], fresh: dict[str, str]) -> str:
    """Create the Secret if it does not exist; otherwise only check that it has every key."""
    status, body = first_read(api, name)
    if status == 404:
        status, body = api.call("POST", "", secret_object(name, labels, fresh))
        if status == 201:
            return f"created Secret {name}"
        if status != 409:  # 409: created meanwhile by someone else, checked below
            raise InitError(f"creating Secret {name}: HTTP {status}: {body}")
        status, body = api.call("GET", f"/{name}")
    if status != 200:
        raise InitError(f"reading Secret {name}: HTTP {status}: {body}")
    missing = [key for key in KEYS if key not in (body.get("data") or {})]
    if missing:
        raise InitError(f"Secret {name} exists but lacks {', '.join(missing)}: add them or delete the Secret")
    return f"Secret {name} exists: left unchanged"


def main() -> int:
    try:
        name = os.environ["SECRET_NAME"]
        labels = json.loads(os.environ.get("SECRET_LABELS", "{}"))
        fresh = generate(os.environ["POSTGRES_HOST"], os.environ["POSTGRES_USER"], os.environ["POSTGRES_DB"])
        print(ensure(Api(), name, labels, fresh), flush=True)
    except (InitError, KeyError, OSError, ValueError) as error:
        print(f"FAILED: {error!r}" if isinstance(error, KeyError) else f"FAILED: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
