"""How the builtin model understands chat messages: phrasings of each command, word forms, references.

The broad check of everyday phrasing is the corpus (test_agent_corpus.py) against the real agent.
"""

from __future__ import annotations

import pytest
from todo_agent.dialogue import read_context
from todo_agent.intents import (
    AddTask,
    BulkChange,
    ChangeTask,
    Clarify,
    Command,
    ListTasks,
    NotUnderstood,
    SmallTalk,
    UpdateTask,
    understand,
)
from todo_agent.language import inflections, stem, typo_distance
from todo_agent.references import ByAge, ById, ByMention, ByPosition, ByWords, best_matches, parse_reference


def CompleteTask(target: ByWords | ById) -> ChangeTask:
    return ChangeTask("complete", target)


def DeleteTask(target: ByWords | ById) -> ChangeTask:
    return ChangeTask("delete", target)


def TaskRef(task_id: int | None = None, words: str | None = None) -> ById | ByWords:
    return ById(task_id) if task_id is not None else ByWords(words or "")


def parse_command(message: str, previous: str | None = None) -> Command:
    return understand(message, read_context(previous))


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
        ("delete it", "Which task do you mean?"),
        ("Update task 1", "What should I change"),
        ("Add " + "x" * 201, "at most 200 characters"),
        ("undo", "nothing for me to undo"),
    ],
)
def test_ambiguous_or_incomplete_requests_ask_back(message: str, question_part: str | None) -> None:
    command = parse_command(message)
    if question_part is None:
        assert isinstance(command, Clarify | NotUnderstood)
    else:
        assert isinstance(command, Clarify)
        assert question_part in command.question


@pytest.mark.parametrize(
    ("message", "kind"),
    [
        ("hi", "greeting"),
        ("Hello!", "greeting"),
        ("good morning", "greeting"),
        ("help", "help"),
        ("What can you do?", "help"),
        ("how do I delete a task?", "help"),
        ("thanks!", "thanks"),
        ("Thank you so much", "thanks"),
        ("great, thanks", "thanks"),
        ("cheers", "thanks"),
        ("bye", "bye"),
        ("that's all", "bye"),
        ("ok", "ack"),
        ("cool", "ack"),
        ("don't delete anything", "hold_off"),
        ("do not mark it as done", "hold_off"),
        ("never mind", "hold_off"),
    ],
)
def test_conversation_manners(message: str, kind: str) -> None:
    assert parse_command(message) == SmallTalk(kind)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "message",
    [
        "",
        "   ",
        "blah blah",
        "What's the weather in Paris?",
        "42 is the answer",
        "buy milk",
        "is task 3 done?",
    ],
)
def test_other_messages_are_not_understood(message: str) -> None:
    assert parse_command(message) == NotUnderstood()


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("delete all completed tasks", BulkChange("delete", "completed")),
        ("remove everything", BulkChange("delete", "all")),
        ("clear my list", BulkChange("delete", "all")),
        ("clear completed", BulkChange("delete", "completed")),
        ("delete the done ones", BulkChange("delete", "completed")),
        ("mark everything done", BulkChange("complete", "pending")),
        ("mark all my tasks as complete", BulkChange("complete", "pending")),
        ("complete all tasks", BulkChange("complete", "pending")),
        ("I've finished everything", BulkChange("complete", "pending")),
    ],
)
def test_bulk_requests(message: str, expected: Command) -> None:
    assert parse_command(message) == expected


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("I finished calling mom", CompleteTask(ByWords("calling mom"))),
        ("I called mom", CompleteTask(ByWords("call mom", strict=True))),
        ("the electricity bill has been paid", CompleteTask(ByWords("pay electricity bill", strict=True))),
        ("walked the dog", CompleteTask(ByWords("walk dog", strict=True))),
        ("I didn't actually water the plants", ChangeTask("reopen", ByWords("water plants", strict=True))),
        ("I'm done with the report", CompleteTask(ByWords("report"))),
        ("dishes done", CompleteTask(ByWords("dishes"))),
        ("the laundry is finally done", CompleteTask(ByWords("laundry"))),
        ("got the groceries done", CompleteTask(ByWords("groceries"))),
        ("mark task 2 as not done", ChangeTask("reopen", ById(2))),
        ("I didn't finish the report after all", ChangeTask("reopen", ByWords("report"))),
        ("I don't need the gym reminder anymore", DeleteTask(ByWords("gym reminder"))),
        ("take the dentist off my list", DeleteTask(ByWords("dentist"))),
    ],
)
def test_tenses_and_voices(message: str, expected: Command) -> None:
    assert parse_command(message) == expected


@pytest.mark.parametrize(
    "message",
    [
        "what have I done today?",
        "did I call mom?",
        "everything done?",
        "I need to finish the report",
        "I wanted to call mom",
    ],
)
def test_questions_and_plans_change_nothing(message: str) -> None:
    assert not isinstance(parse_command(message), ChangeTask | BulkChange)


def test_answers_to_the_assistants_which_one_question() -> None:
    asked_delete = (
        "I found 2 tasks matching 'meeting':\n- 3. A meeting\n- 5. B meeting\n"
        'Which one should I delete? Tell me its number, or say "the first one".'
    )
    asked_complete = asked_delete.replace("delete?", "mark as complete?")
    assert parse_command("5", asked_delete) == DeleteTask(TaskRef(task_id=5))
    assert parse_command("task 3", asked_delete) == DeleteTask(TaskRef(task_id=3))
    assert parse_command("the one with #5", asked_complete) == CompleteTask(TaskRef(task_id=5))
    assert parse_command("the second one", asked_delete) == DeleteTask(TaskRef(task_id=5))
    assert parse_command("First", asked_delete) == DeleteTask(TaskRef(task_id=3))
    assert parse_command("the last one", asked_complete) == CompleteTask(TaskRef(task_id=5))
    assert parse_command("B", asked_complete) == CompleteTask(TaskRef(task_id=5))
    assert parse_command("the third one", asked_delete) == Clarify(
        "I listed only 2 tasks. Which one do you mean?"
    )
    # A new request is understood as such.
    assert parse_command("What's pending?", asked_delete) == ListTasks("pending")
    # Without that question a bare number means nothing.
    assert parse_command("5", "I've added 'Buy milk' to your list (task 5).") == NotUnderstood()
    assert parse_command("5") == NotUnderstood()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("task 3", ById(3)),
        ("#12", ById(12)),
        ("number five", ById(5)),
        ("the first one", ByPosition(0)),
        ("the second task on my list", ByPosition(1)),
        ("the last one", ByPosition(-1)),
        ("the last task I added", ByAge(newest=True)),
        ("the one I just added", ByAge(newest=True)),
        ("my oldest task", ByAge(newest=False)),
        ("it", ByMention()),
        ("that one", ByMention()),
        ("the groceries task", ByWords("groceries")),
        ("'The task'", ByWords("The task")),
        ("a task", None),
    ],
)
def test_references(text: str, expected: object) -> None:
    assert parse_reference(text) == expected


def test_word_forms_meet_in_one_stem() -> None:
    same = [
        ("call", "calls", "called", "calling"),
        ("grocery", "groceries"),
        ("shop", "shopping"),
        ("bake", "baked", "baking"),
        ("buy", "bought"),
        ("pay", "paid"),
        ("meeting", "meetings"),
    ]
    for forms in same:
        assert len({stem(word) for word in forms}) == 1, forms
    assert inflections("check off") == ("check off", "checks off", "checked off", "checking off")
    assert inflections("drop") == ("drop", "drops", "dropped", "dropping")
    assert inflections("edit") == ("edit", "edits", "edited", "editing")
    assert typo_distance("groceris", "groceries", 2) == 1
    assert typo_distance("mlik", "milk", 1) == 1
    assert typo_distance("milk", "silk", 0) == 1


def test_title_matching_prefers_exact_titles_and_reports_ties() -> None:
    tasks = [
        {"id": 1, "title": "Meeting"},
        {"id": 2, "title": "Meeting notes"},
        {"id": 3, "title": "Plan meetings"},
        {"id": 4, "title": "Team meeting"},
    ]
    assert [t["id"] for t in best_matches("meeting", tasks)] == [1]
    assert [t["id"] for t in best_matches("notes", tasks)] == [2]
    assert [t["id"] for t in best_matches("plan meet", tasks)] == [3]
    assert [t["id"] for t in best_matches("meetings", tasks[1:])] == [3]  # the same word wins over a stem
    assert [t["id"] for t in best_matches("meeting", tasks[1:])] == [2, 4]
    assert best_matches("the", tasks) == []
    assert best_matches("milk", tasks) == []
    assert best_matches("car", [{"id": 5, "title": "Buy a birthday card"}]) == []


def test_long_messages_are_still_understood_as_an_add_or_an_update() -> None:
    notes = "call the school about the trip " * 30  # 900 characters
    assert parse_command(f"change the description of task 3 to {notes}") == UpdateTask(
        ById(3), description=notes.strip()
    )
    assert parse_command(f"add a task to plan the trip with description {notes}") == AddTask(
        "Plan the trip", notes.strip()
    )
    assert parse_command("mark " + "the report is " * 300 + "as done") == NotUnderstood()
