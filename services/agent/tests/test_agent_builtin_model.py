"""The builtin model's decisions: which tool call comes next, and the reply once the tools answered."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from agents import ModelSettings, ModelTracing
from openai.types.responses import ResponseFunctionToolCall, ResponseOutputMessage
from todo_agent.builtin_model import BuiltinModel, output_items, read_conversation
from todo_agent.dialogue import MAX_SHOWN_TASKS, read_context
from todo_agent.intents import understand
from todo_agent.planner import Reply, ToolCall, ToolCalls, ToolOutcome, next_step


def task(task_id: int, title: str, completed: bool = False) -> dict[str, Any]:
    return {"id": task_id, "user_id": "u", "title": title, "description": None, "completed": completed}


def changed(status: str, task_id: int, title: str) -> dict[str, Any]:
    return {"task_id": task_id, "status": status, "title": title, "task": task(task_id, title)}


def listing(*tasks: dict[str, Any]) -> ToolOutcome:
    return ToolOutcome("list_tasks", {"status": "all"}, {"result": list(tasks)})


def step(message: str, *outcomes: ToolOutcome, previous: str | None = None) -> ToolCall | ToolCalls | Reply:
    return next_step(understand(message, read_context(previous)), outcomes)


def test_add_calls_add_task_then_confirms_with_the_task_number() -> None:
    assert step("Add a task to buy groceries") == ToolCall("add_task", {"title": "Buy groceries"})
    done = ToolOutcome("add_task", {"title": "Buy groceries"}, changed("created", 7, "Buy groceries"))
    assert step("Add a task to buy groceries", done) == Reply(
        "I've added 'Buy groceries' to your list (task 7)."
    )


def test_add_with_description_passes_it() -> None:
    assert step("Add call bob with notes: about the lease") == ToolCall(
        "add_task", {"title": "Call bob", "description": "about the lease"}
    )


@pytest.mark.parametrize(
    ("message", "status", "heading", "empty"),
    [
        ("What's pending?", "pending", "Here are your pending tasks (2):", "You have no pending tasks."),
        ("Show me all my tasks", "all", "Here are all your tasks (2):", "Your task list is empty."),
        ("What have I completed?", "completed", "Here's what you've completed (2):", "You haven't completed"),
    ],
)
def test_list_shows_the_tasks_or_says_there_are_none(
    message: str, status: str, heading: str, empty: str
) -> None:
    assert step(message) == ToolCall("list_tasks", {"status": status})
    two = ToolOutcome("list_tasks", {"status": status}, {"result": [task(2, "B", True), task(1, "A")]})
    reply = step(message, two)
    assert isinstance(reply, Reply)
    assert reply.text.startswith(heading)
    assert "- 2. B" in reply.text
    assert "- 1. A" in reply.text
    assert ("(done)" in reply.text) == (status == "all")
    none = step(message, ToolOutcome("list_tasks", {"status": status}, {"result": []}))
    assert isinstance(none, Reply)
    assert none.text.startswith(empty)


def test_a_long_list_is_cut_short() -> None:
    tasks = [task(i, f"Task {i}") for i in range(1, 41)]
    reply = step("Show me all my tasks", ToolOutcome("list_tasks", {"status": "all"}, {"result": tasks}))
    assert isinstance(reply, Reply)
    assert reply.text.count("\n- ") == MAX_SHOWN_TASKS
    assert f"...and {40 - MAX_SHOWN_TASKS} more." in reply.text


def test_replies_stay_short_enough_to_be_sent_back_as_history() -> None:
    long_title = "Plan " + "very " * 38 + "long trip"  # 200 characters, the longest title
    tasks = [task(i, long_title) for i in range(1, 41)]
    listing_reply = step(
        "Show me all my tasks", ToolOutcome("list_tasks", {"status": "all"}, {"result": tasks})
    )
    assert isinstance(listing_reply, Reply)
    assert len(listing_reply.text) < 4000
    assert "- 25. Plan very" in listing_reply.text
    assert "…" in listing_reply.text
    not_found = step("Delete the " + "x" * 3900 + " task", listing(task(1, "a")))
    assert isinstance(not_found, Reply)
    assert len(not_found.text) < 300


def test_complete_by_number() -> None:
    assert step("Mark task 3 as complete") == ToolCall("complete_task", {"task_id": 3})
    done = ToolOutcome("complete_task", {"task_id": 3}, changed("completed", 3, "Call mom"))
    assert step("Mark task 3 as complete", done) == Reply(
        "Done! I've marked 'Call mom' (task 3) as complete."
    )


def test_delete_by_number_and_a_missing_task() -> None:
    assert step("Delete task 2") == ToolCall("delete_task", {"task_id": 2})
    deleted = ToolOutcome("delete_task", {"task_id": 2}, changed("deleted", 2, "Old"))
    assert step("Delete task 2", deleted) == Reply("I've deleted 'Old' (task 2) from your list.")
    missing = ToolOutcome("delete_task", {"task_id": 99}, error="Task 99 not found")
    reply = step("Delete task 99", missing)
    assert isinstance(reply, Reply)
    assert reply.text.startswith("I couldn't find task 99 in your list.")


def test_other_tool_errors_are_explained() -> None:
    failed = ToolOutcome(
        "add_task", {"title": "X"}, error="Task database unavailable, try again in a moment."
    )
    assert step("Add X", failed) == Reply(
        "Sorry, I couldn't add that task: Task database unavailable, try again in a moment."
    )


def test_update_title_and_description() -> None:
    assert step("Change task 1 to 'Call mom tonight'") == ToolCall(
        "update_task", {"task_id": 1, "title": "Call mom tonight"}
    )
    done = ToolOutcome("update_task", {"task_id": 1}, changed("updated", 1, "Call mom tonight"))
    assert step("Change task 1 to 'Call mom tonight'", done) == Reply(
        "I've renamed task 1 to 'Call mom tonight'."
    )
    assert step("Update task 2 description to bring snacks") == ToolCall(
        "update_task", {"task_id": 2, "description": "bring snacks"}
    )


def test_delete_by_name_lists_first_then_deletes_the_single_match() -> None:
    message = "Delete the meeting task"
    assert step(message) == ToolCall("list_tasks", {"status": "all"})
    found = listing(task(4, "Buy milk"), task(3, "Team meeting at 10"))
    assert step(message, found) == ToolCall("delete_task", {"task_id": 3})
    deleted = ToolOutcome("delete_task", {"task_id": 3}, changed("deleted", 3, "Team meeting at 10"))
    assert step(message, found, deleted) == Reply(
        "I've deleted 'Team meeting at 10' (task 3) from your list."
    )


def test_delete_by_name_asks_back_when_none_or_several_match() -> None:
    message = "Delete the meeting task"
    several = step(message, listing(task(5, "Meeting notes"), task(3, "Team meeting")))
    assert isinstance(several, Reply)
    assert several.text.startswith(
        "I found 2 tasks matching 'meeting':\n- 5. Meeting notes\n- 3. Team meeting\n"
    )
    assert "Which one should I delete?" in several.text
    # The user's answer to that question is understood as the delete it asked about.
    assert step("3", previous=several.text) == ToolCall("delete_task", {"task_id": 3})
    assert step("the second one", previous=several.text) == ToolCall("delete_task", {"task_id": 3})
    assert step("the notes one", previous=several.text) == ToolCall("delete_task", {"task_id": 5})
    assert step("never mind", previous=several.text) == Reply("OK, I've left your tasks as they are.")
    none = step(message, listing(task(1, "Buy milk")))
    assert isinstance(none, Reply)
    assert none.text.startswith("I couldn't find a task matching 'meeting'.")


def test_complete_by_name_prefers_the_pending_match() -> None:
    found = listing(task(2, "Buy milk", completed=True), task(6, "Buy milk"))
    assert step("Mark 'milk' as done", found) == ToolCall("complete_task", {"task_id": 6})


def test_unclear_requests_get_help_instead_of_a_tool_call() -> None:
    reply = step("What's the weather like?")
    assert isinstance(reply, Reply)
    assert reply.text.startswith("Sorry, I didn't understand that.")
    assert "Add a task to buy groceries" in reply.text


def test_read_conversation_takes_the_last_user_message_and_this_runs_tool_outputs() -> None:
    items: list[Any] = [
        {"role": "user", "content": "Delete the meeting task"},
        {"role": "assistant", "content": "Which one should I delete? Tell me the task number."},
        {"role": "user", "content": "3"},
        {"type": "function_call", "call_id": "c1", "name": "delete_task", "arguments": '{"task_id": 3}'},
        {"type": "function_call_output", "call_id": "c1", "output": json.dumps(changed("deleted", 3, "M"))},
        {"type": "function_call", "call_id": "c2", "name": "delete_task", "arguments": '{"task_id": 4}'},
        {
            "type": "function_call_output",
            "call_id": "c2",
            "output": [{"type": "input_text", "text": "Task 4 not found"}],
        },
    ]
    user, previous, outcomes = read_conversation(items)
    assert user == "3"
    assert previous == "Which one should I delete? Tell me the task number."
    assert outcomes == [
        ToolOutcome("delete_task", {"task_id": 3}, changed("deleted", 3, "M")),
        ToolOutcome("delete_task", {"task_id": 4}, None, "Task 4 not found"),
    ]


def test_the_model_answers_in_the_sdks_output_types() -> None:
    model = BuiltinModel()

    def respond(items: list[Any]) -> Any:
        return asyncio.run(
            model.get_response(
                None,
                items,
                ModelSettings(),
                [],
                None,
                [],
                ModelTracing.DISABLED,
                previous_response_id=None,
                conversation_id=None,
                prompt=None,
            )
        )

    first = respond([{"role": "user", "content": "Add a task to buy groceries"}])
    (call,) = first.output
    assert isinstance(call, ResponseFunctionToolCall)
    assert call.name == "add_task"
    assert json.loads(call.arguments) == {"title": "Buy groceries"}
    assert call.call_id
    output = {
        "type": "function_call_output",
        "call_id": call.call_id,
        "output": json.dumps(changed("created", 7, "Buy groceries")),
    }
    second = respond([{"role": "user", "content": "Add a task to buy groceries"}, call.model_dump(), output])
    (message,) = second.output
    assert isinstance(message, ResponseOutputMessage)
    assert message.content[0].text == "I've added 'Buy groceries' to your list (task 7)."  # type: ignore[union-attr]


def test_a_bulk_change_lists_asks_and_acts_only_on_yes() -> None:
    message = "delete all completed tasks"
    assert step(message) == ToolCall("list_tasks", {"status": "completed"})
    done = ToolOutcome(
        "list_tasks", {"status": "completed"}, {"result": [task(5, "A", True), task(3, "B", True)]}
    )
    question = step(message, done)
    assert isinstance(question, Reply)
    assert question.text.startswith("Should I delete these 2 tasks?\n- 5. A (done)\n- 3. B (done)\n")
    yes = step("yes", previous=question.text)
    assert yes == ToolCalls(
        (ToolCall("delete_task", {"task_id": 5}), ToolCall("delete_task", {"task_id": 3}))
    )
    deleted = [
        ToolOutcome("delete_task", {"task_id": i}, changed("deleted", i, t)) for i, t in ((5, "A"), (3, "B"))
    ]
    assert step("yes", *deleted, previous=question.text) == Reply(
        "I've deleted 2 tasks: 'A' (task 5), 'B' (task 3)."
    )
    assert step("no", previous=question.text) == Reply("OK, I've left your tasks as they are.")
    # Anything else is a new request, and the question lapses.
    assert step("what's pending?", previous=question.text) == ToolCall("list_tasks", {"status": "pending"})


def test_a_bulk_completion_with_nothing_to_do_says_so() -> None:
    nothing = ToolOutcome("list_tasks", {"status": "pending"}, {"result": []})
    assert step("mark everything as done", nothing) == Reply(
        "You have no pending tasks, so there is nothing to mark as complete."
    )


@pytest.mark.parametrize(
    ("previous", "call"),
    [
        ("I've added 'Buy milk' to your list (task 7).", ToolCall("delete_task", {"task_id": 7})),
        (
            "Done! I've marked 'Buy milk' (task 7) as complete.",
            ToolCall("set_task_completion", {"task_id": 7, "completed": False}),
        ),
        ("I've marked 'Buy milk' (task 7) as not done.", ToolCall("complete_task", {"task_id": 7})),
        (
            "I've deleted 'Buy milk (2 l)' (task 7) from your list.",
            ToolCall("add_task", {"title": "Buy milk (2 l)"}),
        ),
    ],
)
def test_undo_reverses_the_change_the_last_reply_reported(previous: str, call: ToolCall) -> None:
    assert step("undo that", previous=previous) == call
    assert step("oops, undo", previous=previous) == call


def test_undo_without_a_change_to_reverse_says_so() -> None:
    for previous in (None, "Here are all your tasks (1):\n- 1. A", "I've renamed task 1 to 'B'."):
        reply = step("undo", previous=previous)
        assert isinstance(reply, Reply)
        assert reply.text.startswith(("There's nothing for me to undo", "I can't undo a rename"))


def test_reopen_uses_set_task_completion() -> None:
    assert step("mark task 4 as not done") == ToolCall(
        "set_task_completion", {"task_id": 4, "completed": False}
    )
    reopened = ToolOutcome("set_task_completion", {"task_id": 4}, changed("pending", 4, "Call mom"))
    assert step("mark task 4 as not done", reopened) == Reply("I've marked 'Call mom' (task 4) as not done.")


def test_positions_count_in_the_list_the_assistant_showed_last() -> None:
    shown = "Here are your pending tasks (3):\n- 9. Walk dog\n- 4. Call mom\n- 2. Pay rent"
    assert step("delete the second one", previous=shown) == ToolCall("delete_task", {"task_id": 4})
    assert step("I finished the last one", previous=shown) == ToolCall("complete_task", {"task_id": 2})
    assert step("complete it", previous="I've added 'Buy milk' to your list (task 7).") == ToolCall(
        "complete_task", {"task_id": 7}
    )
    # Without a list shown, the tasks are looked up in the order the list shows them (newest first).
    tasks = listing(task(9, "Walk dog"), task(4, "Call mom"), task(2, "Pay rent"))
    assert step("delete the first task", tasks) == ToolCall("delete_task", {"task_id": 9})
    assert step("remove the first task I added", tasks) == ToolCall("delete_task", {"task_id": 2})
    assert step("delete the fifth one", tasks) == Reply(
        'Your list doesn\'t have that many tasks. Say "Show me all my tasks" to see them.'
    )


@pytest.mark.parametrize(
    ("message", "expected_id"),
    [
        ("I finished calling mom", 1),
        ("I called mom", 1),
        ("the electricity bills are paid", 2),
        ("complete the groceris", 3),
        ("delete the dentist appointments", 4),
    ],
)
def test_titles_match_in_other_word_forms_and_with_typos(message: str, expected_id: int) -> None:
    tasks = listing(
        task(1, "Call mom tomorrow"), task(2, "Pay the electricity bill"), task(3, "Buy groceries"),
        task(4, "Dentist appointment"),
    )  # fmt: skip
    resolved = step(message, tasks)
    assert isinstance(resolved, ToolCall)
    assert resolved.arguments == {"task_id": expected_id}


def test_equally_good_matches_get_a_clarifying_question_naming_the_action() -> None:
    tasks = listing(task(1, "Call mom tonight"), task(2, "Call mom tomorrow"))
    reply = step("rename the call mom task to Call dad", tasks)
    assert isinstance(reply, Reply)
    assert "Which one should I rename to 'Call dad'?" in reply.text
    assert step("the first one", previous=reply.text) == ToolCall(
        "update_task", {"task_id": 1, "title": "Call dad"}
    )


def test_several_calls_at_once_become_several_function_calls() -> None:
    items = output_items(
        ToolCalls((ToolCall("delete_task", {"task_id": 1}), ToolCall("delete_task", {"task_id": 2})))
    )
    calls = [item for item in items if isinstance(item, ResponseFunctionToolCall)]
    assert [json.loads(call.arguments) for call in calls] == [{"task_id": 1}, {"task_id": 2}]
    assert len({call.call_id for call in calls}) == 2
