"""Tasks made from result rows: timestamps in UTC whatever the session's time zone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from types import SimpleNamespace

from todo_mcp_server.schemas import TaskList, TaskOut

BERLIN_WINTER = timezone(timedelta(hours=1))


def _row(task_id: int) -> SimpleNamespace:
    stamp = datetime(2026, 1, 2, 13, 4, 5, tzinfo=BERLIN_WINTER)
    return SimpleNamespace(
        id=task_id,
        user_id="u1",
        title=f"task {task_id}",
        description=None,
        completed=False,
        created_at=stamp,
        updated_at=stamp,
    )


def test_from_row_and_from_rows_convert_timestamps_to_utc() -> None:
    one = TaskOut.from_row(_row(1))
    many = TaskOut.from_rows([_row(2), _row(3)])
    for task in (one, *many):
        assert task.created_at.tzinfo is UTC
        assert task.created_at == datetime(2026, 1, 2, 12, 4, 5, tzinfo=UTC)
        assert task.updated_at.tzinfo is UTC
    assert [task.id for task in many] == [2, 3]


def test_tasks_from_rows_serialize_as_the_published_task_shape() -> None:
    listed = TaskList(result=TaskOut.from_rows([_row(1)]))
    dumped = listed.model_dump(mode="json")
    assert dumped == {
        "result": [
            {
                "id": 1,
                "user_id": "u1",
                "title": "task 1",
                "description": None,
                "completed": False,
                "created_at": "2026-01-02T12:04:05Z",
                "updated_at": "2026-01-02T12:04:05Z",
            }
        ]
    }
    # What the SDK checks each structured result against accepts it as it is.
    assert TaskList.model_validate(dumped) == TaskList.model_validate_json(listed.model_dump_json())
