"""The corpus: everyday messages, each with the tool calls it must cause, run against the real agent.

Each case is a fresh user with the same ten tasks in PostgreSQL, talking to the agent process with the
builtin model, which calls the real mcp-server. `before` messages are sent first in the same conversation
(their calls are not checked). Task ids are written as `{key}` in messages and `"@key"` in arguments;
`"@new"` is the task the conversation added last. The test prints the accuracy; it fails below the floor,
and on any destructive call not expected or any reply claiming a change no tool call made.
Add the messages users really send here, expected calls as a person would expect them.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx2
import psycopg
import pytest
from todo_testing.agent_chat import Chat, tools_used
from todo_testing.processes import INTERNAL_TOKEN, ServiceProcess, TestDatabase

ACCURACY_FLOOR = 0.95
DESTRUCTIVE = {"delete_task", "complete_task", "set_task_completion", "update_task"}

# Oldest first; lists show them newest first: plants, dog, laundry, report, dentist, groceries, bill,
# mom, accountant, landlord.
TASKS = (
    ("landlord", "Email the landlord", False),
    ("accountant", "Email the accountant", False),
    ("mom", "Call mom tomorrow", False),
    ("bill", "Pay the electricity bill", False),
    ("groceries", "Buy groceries", False),
    ("dentist", "Book a dentist appointment", False),
    ("report", "Finish the quarterly report", False),
    ("laundry", "Do the laundry", True),
    ("dog", "Walk the dog", False),
    ("plants", "Water the plants", True),
)

Call = tuple[str, dict[str, Any]]
ALL: Call = ("list_tasks", {"status": "all"})
PENDING: Call = ("list_tasks", {"status": "pending"})
COMPLETED: Call = ("list_tasks", {"status": "completed"})


def add(title: str, description: str | None = None) -> Call:
    return ("add_task", {"title": title} | ({"description": description} if description else {}))


def done(key: str) -> Call:
    return ("complete_task", {"task_id": f"@{key}"})


def undone(key: str) -> Call:
    return ("set_task_completion", {"task_id": f"@{key}", "completed": False})


def gone(key: str) -> Call:
    return ("delete_task", {"task_id": f"@{key}"})


def rename(key: str, title: str) -> Call:
    return ("update_task", {"task_id": f"@{key}", "title": title})


def describe(key: str, description: str) -> Call:
    return ("update_task", {"task_id": f"@{key}", "description": description})


@dataclass(frozen=True)
class Case:
    message: str
    calls: tuple[Call, ...]
    before: tuple[str, ...] = ()


def case(message: str, *calls: Call, before: tuple[str, ...] | str = ()) -> Case:
    return Case(message, calls, (before,) if isinstance(before, str) else before)


PENDING_KEYS = ("dog", "report", "dentist", "groceries", "bill", "mom", "accountant", "landlord")

CORPUS = (
    # --- listing -----------------------------------------------------------------------------------
    case("show me everything", ALL),
    case("What's on my plate?", ALL),
    case("anything left?", PENDING),
    case("What's pending?", PENDING),
    case("what do I still need to do", PENDING),
    case("what's left to do today", PENDING),
    case("Show me all my tasks", ALL),
    case("list my tasks", ALL),
    case("what's on my list", ALL),
    case("can I see my list?", ALL),
    case("my tasks", ALL),
    case("todo list", ALL),
    case("What have I completed?", COMPLETED),
    case("what did I finish?", COMPLETED),
    case("what have I done so far", COMPLETED),
    case("show completed tasks", COMPLETED),
    case("which tasks are done?", COMPLETED),
    case("show my open tasks", PENDING),
    case("what's outstanding?", PENDING),
    case("how many tasks do I have", ALL),
    case("how many tasks are left", PENDING),
    case("what's next?", PENDING),
    case("catch me up", ALL),
    case("give me an overview of my tasks", ALL),
    case("pull up my todo list", ALL),
    case("do I have anything due?", PENDING),
    case("any unfinished tasks?", PENDING),
    case("let me see what I have to do", PENDING),
    case("remind me what's on my list", ALL),
    case("Is there anything I haven't done yet?", PENDING),
    case("tasks?", ALL),
    case("I need to see my tasks", ALL),
    case("what's on the agenda", ALL),
    case("show me what I've got", ALL),
    # --- adding ------------------------------------------------------------------------------------
    case("I need to remember to call the plumber", add("Call the plumber")),
    case("Add a task to buy stamps", add("Buy stamps")),
    case("add buy milk", add("Buy milk")),
    case("remind me to renew my passport", add("Renew my passport")),
    case("don't let me forget to send the invoice", add("Send the invoice")),
    case("I have to book flights", add("Book flights")),
    case("new task: clean the garage", add("Clean the garage")),
    case("put pick up dry cleaning on my list", add("Pick up dry cleaning")),
    case("jot down: call the bank about the card", add("Call the bank about the card")),
    case("I gotta fix the bike", add("Fix the bike")),
    case("note to self: buy a birthday card for Sam", add("Buy a birthday card for Sam")),
    case("can you remind me to water the garden", add("Water the garden")),
    case("Add 'Prepare slides' to my todo list", add("Prepare slides")),
    case("create a task called Submit expenses", add("Submit expenses")),
    case("add a task to pay rent with description before the 5th", add("Pay rent", "before the 5th")),
    case("I should really call grandma", add("Call grandma")),
    case("Remember to take out the trash", add("Take out the trash")),
    case("todo: defrost the freezer", add("Defrost the freezer")),
    case("I must renew the car insurance", add("Renew the car insurance")),
    case("Hey, I need to buy a birthday present", add("Buy a birthday present")),
    case("need to schedule a haircut", add("Schedule a haircut")),
    case("don't forget to call the vet", add("Call the vet")),
    case("I want to learn Spanish", add("Learn Spanish")),
    case("I need to finish the presentation", add("Finish the presentation")),
    case(
        "add a task",
    ),
    case("remind me to"),
    # --- completing ----------------------------------------------------------------------------------
    case("I finished calling mom", ALL, done("mom")),
    case("I called mom", ALL, done("mom")),
    case("mark buy groceries as done", ALL, done("groceries")),
    case("complete the dentist one", ALL, done("dentist")),
    case("I did the quarterly report", ALL, done("report")),
    case("the report is done", ALL, done("report")),
    case("finished the report", ALL, done("report")),
    case("I've paid the electricity bill", ALL, done("bill")),
    case("the electricity bill has been paid", ALL, done("bill")),
    case("groceries done", ALL, done("groceries")),
    case("done with the groceries", ALL, done("groceries")),
    case("I'm done with the dog walk", ALL, done("dog")),
    case("walked the dog", ALL, done("dog")),
    case("I walked the dog", ALL, done("dog")),
    case("I bought the groceries", ALL, done("groceries")),
    case("Mark task {dog} as complete", done("dog")),
    case("task {dog} is done", done("dog")),
    case("I've done task {report}", done("report")),
    case("check off task {dentist}", done("dentist")),
    case("complete #{bill}", done("bill")),
    case("finish {mom}", done("mom")),
    case("I booked the dentist appointment", ALL, done("dentist")),
    case("knocked out the report", ALL, done("report")),
    case("wrapped up the quarterly report", ALL, done("report")),
    case("Finally finished the report!", ALL, done("report")),
    case("crossed the groceries off", ALL, done("groceries")),
    case("the dog has been walked", ALL, done("dog")),
    case("I'm finished with the report", ALL, done("report")),
    case("emailed the landlord", ALL, done("landlord")),
    case("I got the groceries", ALL, done("groceries")),
    case("mark the groceris as done", ALL, done("groceries")),
    case("tick off the dentist appointment", ALL, done("dentist")),
    case("the accountant email is sorted", ALL, done("accountant")),
    case("got the report done", ALL, done("report")),
    case("mark it as done", done("new"), before="add a task to buy stamps"),
    # --- marking as not done -------------------------------------------------------------------------
    case("mark the laundry as not done", ALL, undone("laundry")),
    case("reopen task {plants}", undone("plants")),
    case("the laundry isn't done after all", ALL, undone("laundry")),
    case("I didn't actually water the plants", ALL, undone("plants")),
    case("uncheck the plants", ALL, undone("plants")),
    case("mark task {laundry} as pending", undone("laundry")),
    # --- deleting ------------------------------------------------------------------------------------
    case("remove the electricity bill task", ALL, gone("bill")),
    case("delete task {dog}", gone("dog")),
    case("delete #{dog}", gone("dog")),
    case("get rid of the dentist appointment", ALL, gone("dentist")),
    case("cancel the dentist appointment", ALL, gone("dentist")),
    case("I don't need the groceries task anymore", ALL, gone("groceries")),
    case("take the laundry off my list", ALL, gone("laundry")),
    case("scratch the report", ALL, gone("report")),
    case("trash task {mom}", gone("mom")),
    case("please delete the walk the dog task", ALL, gone("dog")),
    case("remove 'Water the plants'", ALL, gone("plants")),
    case("delete the first one", ALL, gone("plants")),
    case("delete the last task I added", ALL, gone("plants")),
    case("delete the oldest task", ALL, gone("landlord")),
    case("remove the second task on my list", ALL, gone("dog")),
    case("forget about the groceries", ALL, gone("groceries")),
    case("ditch the report", ALL, gone("report")),
    case("drop task {bill}", gone("bill")),
    case("erase the plant watering task", ALL, gone("plants")),
    case("delete the electrcity bill", ALL, gone("bill")),
    case("remove the grocery task", ALL, gone("groceries")),
    case("delete the dentists", ALL, gone("dentist")),
    case("the dentist appointment got cancelled", ALL, gone("dentist")),
    case("the meeting was cancelled", ALL),
    case("delete the gym task", ALL),
    case("delete the bike task", ALL),
    case("remove the mail task", ALL),
    case("complete the meeting", ALL),
    case("I finished the presentation", ALL),
    case("delete task 999999", ("delete_task", {"task_id": 999999})),
    case("Could you please delete task {mom}?", gone("mom")),
    case("delete the third one", gone("laundry"), before="show me everything"),
    case("delete it", gone("dog"), before="Mark task {dog} as complete"),
    # --- renaming and describing ---------------------------------------------------------------------
    case("rename the groceries task to Buy veggies", ALL, rename("groceries", "Buy veggies")),
    case("change task {mom} to Call mom tonight", rename("mom", "Call mom tonight")),
    case("Update task {report}: Finish the annual report", rename("report", "Finish the annual report")),
    case("change the title of task {dog} to Walk the dog twice", rename("dog", "Walk the dog twice")),
    case("rename {dog} to walk Rex", rename("dog", "Walk Rex")),
    case(
        "the dentist task should say Book the orthodontist", ALL, rename("dentist", "Book the orthodontist")
    ),
    case("edit the bill task to read Pay the gas bill", ALL, rename("bill", "Pay the gas bill")),
    case("fix the typo in task {mom}: Call mum tomorrow", rename("mom", "Call mum tomorrow")),
    case("add a note to task {report}: include the charts", describe("report", "include the charts")),
    case("change the description of task {bill} to due on Friday", describe("bill", "due on Friday")),
    case(
        "Update task {groceries} description to milk, eggs and bread",
        describe("groceries", "milk, eggs and bread"),
    ),
    case("rename the first one to Water the roses", ALL, rename("plants", "Water the roses")),
    case("actually, rename it to Walk Rex", rename("dog", "Walk Rex"), before="Mark task {dog} as complete"),
    case("rename task {mom}"),
    case("change the email task to Email the agent", ALL),
    # --- several tasks at once: only after a yes -----------------------------------------------------
    case("delete all completed tasks", COMPLETED),
    case("yes", gone("plants"), gone("laundry"), before="delete all completed tasks"),
    case("mark everything done", PENDING),
    case("yes please", *(done(key) for key in PENDING_KEYS), before="mark everything done"),
    case("no", before="clear my list"),
    case("clear completed", COMPLETED),
    case("delete everything", ALL),
    case("remove all my tasks", ALL),
    case("complete all tasks", PENDING),
    case("I've finished everything", PENDING),
    case("what's pending?", PENDING, before="delete everything"),
    case("sure, go ahead", gone("plants"), gone("laundry"), before="delete all completed tasks"),
    case("wipe the done ones", COMPLETED),
    case("delete all", ALL),
    case("remove everything from my list", ALL),
    case("mark all of them as done", PENDING),
    # --- undo ------------------------------------------------------------------------------------------
    case("undo that", undone("dog"), before="Mark task {dog} as complete"),
    case("oops, undo", add("Pay the electricity bill"), before="delete task {bill}"),
    case("undo", ("delete_task", {"task_id": "@new"}), before="add a task to buy stamps"),
    case("undo", done("laundry"), before="mark the laundry as not done"),
    case("undo that"),
    case("undo", before="show me everything"),
    case("undo that", before="rename task {mom} to Call mum"),
    case("take that back", undone("dog"), before="Mark task {dog} as complete"),
    case("scratch that", ("delete_task", {"task_id": "@new"}), before="add a task to buy stamps"),
    # --- which one? ------------------------------------------------------------------------------------
    case("delete the email task", ALL),
    case("the second one", gone("landlord"), before="delete the email task"),
    case("{accountant}", gone("accountant"), before="delete the email task"),
    case("the landlord one", done("landlord"), before="complete the email one"),
    case("never mind", before="delete the email task"),
    case("the fifth one", before="delete the email task"),
    # --- conversation, and messages that must change nothing -----------------------------------------
    case("thanks!"),
    case("thank you so much"),
    case("hi"),
    case("hello there"),
    case("good morning"),
    case("help"),
    case("what can you do?"),
    case("how do I delete a task?"),
    case("bye"),
    case("ok"),
    case("cool, thanks"),
    case("don't delete anything"),
    case("please don't remove the report"),
    case("never mind"),
    case("what's the weather like?"),
    case("yes"),
    case("no"),
    case("delete"),
    case("delete it"),
    case("can I delete tasks here?"),
    case("should I delete the report?"),
    case("is the report done?"),
    case("I'm thinking about cancelling the gym"),
    case("I wanted to call mom"),
    case("the dog is cute"),
    case("I hate my tasks"),
    case("I deleted the report myself"),
    case("who deleted my report?"),
    case("the report is due friday"),
    case("buy milk"),
    case("I'm finishing the report"),
    case("great, thanks", before="Add a task to buy stamps"),
)


@dataclass(frozen=True)
class Outcome:
    case: Case
    expected: list[Call]
    actual: list[Call]
    response: str

    @property
    def ok(self) -> bool:
        return _canonical(self.expected) == _canonical(self.actual)

    @property
    def unexpected_destructive(self) -> list[Call]:
        wanted = _canonical(self.expected)
        return [
            call for call in self.actual if call[0] in DESTRUCTIVE and _canonical([call])[0] not in wanted
        ]


def _canonical(calls: list[Call]) -> list[str]:
    # Calls made at once (a confirmed bulk change) run concurrently: their order is not part of the contract.
    return sorted(json.dumps(call, sort_keys=True) for call in calls)


_CLAIMS = {
    r"^I've added ": "add_task",
    r"^Done! I've marked ": "complete_task",
    r"^I've marked .* as not done": "set_task_completion",
    r"^I've deleted ": "delete_task",
    r"^I've renamed |^I've updated the description": "update_task",
    r"^I've marked \d+ tasks? as complete": "complete_task",
}


def claimed_without_a_call(response: str, body: dict[str, Any]) -> list[str]:
    made = {call["tool"] for call in body["tool_calls"] if "error" not in call["result"]}
    return [tool for claim, tool in _CLAIMS.items() if re.search(claim, response) and tool not in made]


@pytest.fixture(scope="module")
def agent(start_agent: Callable[..., ServiceProcess]) -> ServiceProcess:
    return start_agent("agent-corpus", LLM_MODEL="builtin")


@pytest.fixture(scope="module")
def client(agent: ServiceProcess) -> Iterator[httpx2.Client]:
    auth = {"Authorization": f"Bearer {INTERNAL_TOKEN}"}
    with httpx2.Client(base_url=agent.url, headers=auth, timeout=30, trust_env=False) as http:
        yield http


def seed(database: TestDatabase, user_id: str) -> dict[str, int]:
    with psycopg.connect(database.url) as conn:
        ids = {}
        for offset, (key, title, completed) in enumerate(TASKS):
            ids[key] = conn.execute(
                "INSERT INTO task (user_id, title, completed, created_at, updated_at) "
                "VALUES (%s, %s, %s, now() - make_interval(mins => %s), now()) RETURNING id",
                (user_id, title, completed, len(TASKS) - offset),
            ).fetchone()[0]  # type: ignore[index]
    return ids


def _bind(calls: tuple[Call, ...], ids: dict[str, int]) -> list[Call]:
    def value(item: object) -> object:
        return ids[item[1:]] if isinstance(item, str) and item.startswith("@") else item

    return [(tool, {name: value(item) for name, item in arguments.items()}) for tool, arguments in calls]


def run_case(client: httpx2.Client, database: TestDatabase, corpus_case: Case) -> tuple[Outcome, list[str]]:
    user = f"corpus-{uuid.uuid4().hex[:12]}"
    ids = seed(database, user)
    chat = Chat(client, user)
    for message in corpus_case.before:
        body = chat.send(message.format(**ids))
        for tool, _, result in ((c["tool"], c["arguments"], c["result"]) for c in body["tool_calls"]):
            if tool == "add_task" and "task_id" in result:
                ids["new"] = result["task_id"]
    body = chat.send(corpus_case.message.format(**ids))
    expected = _bind(corpus_case.calls, ids)
    outcome = Outcome(corpus_case, expected, tools_used(body), body["response"])
    return outcome, claimed_without_a_call(body["response"], body)


def test_the_corpus_of_everyday_messages(
    client: httpx2.Client, agent_task_database: TestDatabase, capsys: pytest.CaptureFixture[str]
) -> None:
    assert len(CORPUS) >= 150
    outcomes, false_claims = [], []
    for corpus_case in CORPUS:
        outcome, claims = run_case(client, agent_task_database, corpus_case)
        outcomes.append(outcome)
        false_claims += [f"{corpus_case.message!r} claims {tool}: {outcome.response!r}" for tool in claims]
    failures = [outcome for outcome in outcomes if not outcome.ok]
    accuracy = 1 - len(failures) / len(outcomes)
    with capsys.disabled():
        print(
            f"\ncorpus: {len(outcomes) - len(failures)}/{len(outcomes)} messages as expected ({accuracy:.1%})"
        )
        for outcome in failures:
            print(f"  MISS {outcome.case.message!r}: expected {outcome.expected}, got {outcome.actual}")
            print(f"       reply: {outcome.response[:160]!r}")
    unsafe = [
        (outcome.case.message, outcome.unexpected_destructive)
        for outcome in outcomes
        if outcome.unexpected_destructive
    ]
    assert unsafe == [], "changes nobody asked for"
    assert false_claims == [], "replies claiming a change no tool call made"
    assert accuracy >= ACCURACY_FLOOR
