"""`helm test`: one real user flow through the backend Service.

Sign up -> add a task -> list tasks -> one chat turn (the builtin model) -> the conversation is stored,
then the task is deleted again. Standard library only: it runs in the project's todo-backend image.
Configuration: BACKEND_URL (e.g. http://todo-backend:8000); CHAT_TURN=false skips the chat turn (the chart
sets it when the agent uses a real, paid LLM).
"""

from __future__ import annotations

import json
import os
import secrets
import sys
import time
import urllib.error
import urllib.request
from typing import Any


class FlowError(Exception):
    """A step of the flow did not behave as the API contract says."""


def call(
    method: str, url: str, body: dict[str, Any] | None = None, token: str | None = None
) -> tuple[int, Any]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)  # noqa: S310 - http(s) checked in main
    request.add_header("Accept", "application/json")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            status, raw = int(response.status), response.read()
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read()
    return status, decode(raw)


def decode(raw: bytes) -> Any:
    """JSON bodies as data; anything else (a proxy's error page) as text, so errors can show it."""
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return raw.decode(errors="replace")[:500]


def expect(step: str, status: int, payload: Any, wanted: int) -> Any:
    if status != wanted:
        raise FlowError(f"{step}: HTTP {status}, expected {wanted}: {payload!r}")
    print(f"ok: {step}", flush=True)
    return payload


def wait_for_network(base: str, timeout_seconds: float = 30.0) -> None:
    """Wait until the backend can be reached at all.

    A NetworkPolicy enforcer (kube-router, as in k3s) starts letting a new pod's traffic through a second or
    two after the pod starts; until then connections are refused. Only this read is retried: the flow's
    writes are sent once.
    """
    deadline = time.monotonic() + timeout_seconds
    while True:
        try:
            status, _ = call("GET", f"{base}/healthz")
        except OSError as error:  # refused, reset, unreachable: the network is not there yet
            if time.monotonic() >= deadline:
                raise FlowError(f"backend not reachable within {timeout_seconds:.0f}s: {error}") from error
            time.sleep(1)
            continue
        expect("backend reachable", status, None, 200)
        return


def run_flow(backend_url: str, chat_turn: bool = True) -> None:
    base = backend_url.rstrip("/")
    wait_for_network(base)
    suffix = secrets.token_hex(6)
    signup = {
        "email": f"helm-test-{suffix}@example.com",
        "password": secrets.token_urlsafe(18),
        "name": "Helm test",
    }
    account = expect("sign up", *call("POST", f"{base}/api/auth/signup", signup), 201)
    token, user_id = account["token"], account["user"]["id"]
    api = f"{base}/api/{user_id}"

    title = f"helm test task {suffix}"
    task = expect("add task", *call("POST", f"{api}/tasks", {"title": title}, token), 201)
    if task["title"] != title or task["completed"] is not False:
        raise FlowError(f"add task: unexpected task {task!r}")

    listed = expect("list tasks", *call("GET", f"{api}/tasks?status=all", None, token), 200)
    if [item["id"] for item in listed] != [task["id"]]:
        raise FlowError(f"list tasks: expected only task {task['id']}, got {listed!r}")

    if chat_turn:
        reply = expect("chat turn", *call("POST", f"{api}/chat", {"message": "show my tasks"}, token), 200)
        if not isinstance(reply.get("conversation_id"), int) or not str(reply.get("response", "")).strip():
            raise FlowError(f"chat turn: unexpected reply {reply!r}")
        if not isinstance(reply.get("tool_calls"), list):
            raise FlowError(f"chat turn: tool_calls is not a list: {reply!r}")

        messages = expect(
            "conversation stored",
            *call("GET", f"{api}/conversations/{reply['conversation_id']}/messages", None, token),
            200,
        )
        if [message["role"] for message in messages] != ["user", "assistant"]:
            raise FlowError(
                f"conversation stored: expected a user and an assistant message, got {messages!r}"
            )

    expect("delete task", *call("DELETE", f"{api}/tasks/{task['id']}", None, token), 204)


def main() -> int:
    backend_url = os.environ.get("BACKEND_URL", "")
    if not backend_url.startswith(("http://", "https://")):
        print("configuration error: BACKEND_URL must be an http(s) URL", file=sys.stderr)
        return 2
    try:
        run_flow(backend_url, chat_turn=os.environ.get("CHAT_TURN", "true") != "false")
    except (FlowError, OSError, KeyError, TypeError, ValueError) as error:
        print(f"FAILED: {error}", file=sys.stderr)
        return 1
    print("user flow passed", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
