"""How the builtin model understands chat messages: many phrasings of each phase III command."""

from __future__ import annotations

import pytest
from todo_agent.commands import (
    WHICH_TO_COMPLETE,
    WHICH_TO_DELETE,
    AddTask,
    Clarify,
    Command,
    CompleteTask,
    DeleteTask,
    Greeting,
    ListTasks,
    NotUnderstood,
    TaskRef,
    UpdateTask,
    parse_command,
)


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("Add a task to buy groceries", AddTask("Buy groceries")),
        ("add a task to buy groceries.", AddTask("Buy groceries")),
        ("Add buy milk", AddTask("Buy milk")),
        ("Add 'Call mom' to my list", AddTask("Call mom")),
        ('add "Renew passport" to my todo list', AddTask("Renew passport")),
        ("Please add walk the dog to my tasks", AddTask("Walk the dog")),
        ("Can you add a new task: water the plants?", AddTask("Water the plants")),
        ("Create a task called Finish the report", AddTask("Finish the report")),
        ("new task - book dentist appointment", AddTask("Book dentist appointment")),
        ("I need to remember to pay bills", AddTask("Pay bills")),
        ("Remind me to call the plumber", AddTask("Call the plumber")),
        ("Don't let me forget to send the invoice!", AddTask("Send the invoice")),
        ("I have to renew my car insurance", AddTask("Renew my car insurance")),
        ("Hey, I need to buy a birthday present", AddTask("Buy a birthday present")),
        (
            "Add a task to buy groceries with description milk, eggs and bread",
            AddTask("Buy groceries", "milk, eggs and bread"),
        ),
    ],
)
def test_add_phrasings(message: str, expected: Command) -> None:
    assert parse_command(message) == expected


@pytest.mark.parametrize(
    ("message", "status"),
    [
        ("What's pending?", "pending"),
        ("whats pending", "pending"),
        ("Show me all my tasks", "all"),
        ("List my tasks", "all"),
        ("What's on my list?", "all"),
        ("Can you show me my todos please?", "all"),
        ("tasks", "all"),
        ("How many tasks do I have?", "all"),
        ("What have I completed?", "completed"),
        ("Show completed tasks", "completed"),
        ("What did I finish?", "completed"),
        ("completed", "completed"),
        ("What do I still need to do?", "pending"),
        ("What's left?", "pending"),
        ("Which tasks haven't I done yet?", "pending"),
        ("Show my open tasks", "pending"),
        ("I need to see my tasks", "all"),
    ],
)
def test_list_phrasings(message: str, status: str) -> None:
    assert parse_command(message) == ListTasks(status)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("Mark task 3 as complete", CompleteTask(TaskRef(task_id=3))),
        ("mark task #3 done", CompleteTask(TaskRef(task_id=3))),
        ("Complete task 12", CompleteTask(TaskRef(task_id=12))),
        ("I finished task 3", CompleteTask(TaskRef(task_id=3))),
        ("I've done task 4", CompleteTask(TaskRef(task_id=4))),
        ("Task 5 is done", CompleteTask(TaskRef(task_id=5))),
        ("check off task number 7", CompleteTask(TaskRef(task_id=7))),
        ("Mark the groceries task as done", CompleteTask(TaskRef(words="groceries"))),
        ("Mark 'Buy groceries' as complete", CompleteTask(TaskRef(words="Buy groceries"))),
        ("I finished the report", CompleteTask(TaskRef(words="report"))),
    ],
)
def test_complete_phrasings(message: str, expected: Command) -> None:
    assert parse_command(message) == expected


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("Delete task 2", DeleteTask(TaskRef(task_id=2))),
        ("delete #2", DeleteTask(TaskRef(task_id=2))),
        ("Remove task number 9 from my list", DeleteTask(TaskRef(task_id=9))),
        ("Delete the meeting task", DeleteTask(TaskRef(words="meeting"))),
        ("Cancel the dentist appointment", DeleteTask(TaskRef(words="dentist appointment"))),
        ("Remove buy milk from my list", DeleteTask(TaskRef(words="buy milk"))),
        ("get rid of 'Old stuff'", DeleteTask(TaskRef(words="Old stuff"))),
        ("Could you please delete task 2?", DeleteTask(TaskRef(task_id=2))),
    ],
)
def test_delete_phrasings(message: str, expected: Command) -> None:
    assert parse_command(message) == expected


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("Change task 1 to 'Call mom tonight'", UpdateTask(TaskRef(task_id=1), title="Call mom tonight")),
        ("rename task 4 to buy oat milk", UpdateTask(TaskRef(task_id=4), title="Buy oat milk")),
        ("Update task 2: Pick up the kids", UpdateTask(TaskRef(task_id=2), title="Pick up the kids")),
        (
            "Change the title of task 3 to Submit taxes",
            UpdateTask(TaskRef(task_id=3), title="Submit taxes"),
        ),
        (
            "Update task 2 description to bring snacks",
            UpdateTask(TaskRef(task_id=2), description="bring snacks"),
        ),
        (
            "change the description of task 6 to 'Room 4B, 3pm'",
            UpdateTask(TaskRef(task_id=6), description="Room 4B, 3pm"),
        ),
        ("Rename the meeting task to Team sync", UpdateTask(TaskRef(words="meeting"), title="Team sync")),
    ],
)
def test_update_phrasings(message: str, expected: Command) -> None:
    assert parse_command(message) == expected


@pytest.mark.parametrize(
    ("message", "question_part"),
    [
        ("Add a task", "What should the task say?"),
        ("remind me to", None),
        ("Delete task", "Which task should I delete?"),
        ("delete it", "Which task should I delete?"),
        ("Delete all my tasks", "one task at a time"),
        ("Update task 1", "What should I change"),
        ("Mark task 2 as not done", "not reopen"),
        ("Add " + "x" * 201, "at most 200 characters"),
    ],
)
def test_ambiguous_or_incomplete_requests_ask_back(message: str, question_part: str | None) -> None:
    command = parse_command(message)
    if question_part is None:
        assert isinstance(command, Clarify | NotUnderstood)
    else:
        assert isinstance(command, Clarify)
        assert question_part in command.question


@pytest.mark.parametrize("message", ["hi", "Hello!", "help", "What can you do?", "thanks"])
def test_greetings_and_help(message: str) -> None:
    assert parse_command(message) == Greeting()


@pytest.mark.parametrize(
    "message", ["", "   ", "blah blah", "What's the weather in Paris?", "42 is the answer"]
)
def test_other_messages_are_not_understood(message: str) -> None:
    assert parse_command(message) == NotUnderstood()


def test_a_bare_number_answers_the_assistants_which_one_question() -> None:
    asked_delete = (
        f"I found 2 tasks matching 'meeting': 3. A; 5. B. {WHICH_TO_DELETE} Tell me the task number."
    )
    asked_complete = (
        f"I found 2 tasks matching 'x': 1. x; 2. x y. {WHICH_TO_COMPLETE} Tell me the task number."
    )
    assert parse_command("5", asked_delete) == DeleteTask(TaskRef(task_id=5))
    assert parse_command("task 3", asked_delete) == DeleteTask(TaskRef(task_id=3))
    assert parse_command("the one with #2", asked_complete) == CompleteTask(TaskRef(task_id=2))
    assert parse_command("the second one", asked_delete) == DeleteTask(TaskRef(task_id=5))
    assert parse_command("First", asked_delete) == DeleteTask(TaskRef(task_id=3))
    assert parse_command("the last one", asked_complete) == CompleteTask(TaskRef(task_id=2))
    assert parse_command("the third one", asked_delete) == NotUnderstood()  # only two were offered
    # A new request is understood as such.
    assert parse_command("What's pending?", asked_delete) == ListTasks("pending")
    # Without that question a bare number means nothing.
    assert parse_command("5", "I've added 'Buy milk' to your list (task 5).") == NotUnderstood()
    assert parse_command("5") == NotUnderstood()
