"""How the MCP tools are shown to the model and how their results are reported."""

from __future__ import annotations

from mcp.types import CallToolResult, TextContent, Tool
from todo_agent.tools import hide_bound_argument, structured_result

SCHEMA = {
    "type": "object",
    "properties": {
        "user_id": {"type": "string", "description": "The id of the user whose tasks these are."},
        "task_id": {"type": "integer"},
        "title": {"type": "string"},
    },
    "required": ["user_id", "task_id"],
}


def test_the_model_sees_no_user_id_and_the_original_is_untouched() -> None:
    tool = Tool(name="update_task", description="Change a task", input_schema=SCHEMA)
    shown = hide_bound_argument(tool)
    assert shown.name == "update_task"
    assert shown.description == "Change a task"
    assert shown.input_schema == {
        "type": "object",
        "properties": {"task_id": {"type": "integer"}, "title": {"type": "string"}},
        "required": ["task_id"],
    }
    assert "user_id" in tool.input_schema["properties"]
    assert tool.input_schema["required"] == ["user_id", "task_id"]


def test_results_are_the_structured_content_or_the_error_text() -> None:
    ok = CallToolResult(
        content=[TextContent(type="text", text='{"task_id": 1}')], structured_content={"task_id": 1}
    )
    assert structured_result(ok) == {"task_id": 1}
    error = CallToolResult(content=[TextContent(type="text", text="Task 9 not found")], is_error=True)
    assert structured_result(error) == {"error": "Task 9 not found"}
    text_only = CallToolResult(content=[TextContent(type="text", text='[{"id": 1}]')])
    assert structured_result(text_only) == {"result": [{"id": 1}]}
