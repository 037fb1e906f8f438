"""One JSON object per log line, with the request id and any `extra=` fields."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest
from todo_common.logging import configure_logging, request_id_var


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    access_disabled = logging.getLogger("uvicorn.access").disabled
    try:
        yield
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
        logging.getLogger("uvicorn.access").disabled = access_disabled


def test_json_lines_carry_service_request_id_and_extras(
    restore_logging: None, capsys: pytest.CaptureFixture[str]
) -> None:
    configure_logging("svc", "INFO", "json")
    token = request_id_var.set("rid-7")
    try:
        logging.getLogger("todo.example").info("saved %s", "task", extra={"task_id": 3})
    finally:
        request_id_var.reset(token)
    logging.getLogger("todo.example").debug("below the level")
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        logging.getLogger("todo.example").exception("failed")

    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(lines) == 2
    saved, failed = lines
    assert saved["service"] == "svc"
    assert saved["level"] == "INFO"
    assert saved["logger"] == "todo.example"
    assert saved["message"] == "saved task"
    assert saved["request_id"] == "rid-7"
    assert saved["task_id"] == 3
    assert saved["time"].endswith("+00:00")
    assert "request_id" not in failed
    assert "RuntimeError: boom" in failed["exception"]


def test_text_format_for_humans(restore_logging: None, capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("svc", "WARNING", "text")
    logging.getLogger("todo.example").info("hidden")
    logging.getLogger("todo.example").warning("shown")
    output = capsys.readouterr().out
    assert "hidden" not in output
    assert "WARNING svc todo.example [-] shown" in output


def test_library_loggers_go_through_the_one_handler(
    restore_logging: None, capsys: pytest.CaptureFixture[str]
) -> None:
    configure_logging("svc", "INFO", "json")
    logging.getLogger("uvicorn.error").info("uvicorn speaks")
    logging.getLogger("uvicorn.access").info("duplicate access line")
    logging.getLogger("httpx2").info("HTTP Request: GET http://secret-host/")
    messages = [json.loads(line)["message"] for line in capsys.readouterr().out.splitlines()]
    assert messages == ["uvicorn speaks"]
