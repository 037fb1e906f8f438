import { act, render, renderHook, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";

import { ChatPanel } from "@/components/chat/ChatPanel";
import { TaskForm } from "@/components/tasks/TaskForm";
import { TaskItem } from "@/components/tasks/TaskItem";
import { useTasks } from "@/hooks/useTasks";
import { ApiError } from "@/lib/api-client";
import { SERVICE_UNAVAILABLE } from "@/lib/messages";

import { json, scriptFetch } from "./support/fetch-script";

const router = { replace: vi.fn(), refresh: vi.fn(), push: vi.fn() };
vi.mock("next/navigation", () => ({ useRouter: () => router }));

beforeEach(() => {
  router.replace.mockReset();
});

describe("TaskForm", () => {
  it("explains what to fix and does not submit an invalid task", async () => {
    const onSubmit = vi.fn(async () => {});
    render(<TaskForm idPrefix="t" submitLabel="Add task" busyLabel="Adding…" onSubmit={onSubmit} />);
    await userEvent.click(screen.getByRole("button", { name: "Add task" }));
    expect(screen.getByText("Enter a title.")).toBeVisible();
    expect(screen.getByLabelText("Title")).toHaveAttribute("aria-invalid", "true");

    await userEvent.click(screen.getByLabelText("Title"));
    await userEvent.paste("x".repeat(201));
    await userEvent.click(screen.getByRole("button", { name: "Add task" }));
    expect(screen.getByText("Keep the title to 200 characters or fewer.")).toBeVisible();
    expect(onSubmit).not.toHaveBeenCalled();
  });

  it("submits the trimmed title and clears itself when asked", async () => {
    const onSubmit = vi.fn(async () => {});
    render(<TaskForm idPrefix="t" submitLabel="Add task" busyLabel="Adding…" onSubmit={onSubmit} clearOnSuccess />);
    await userEvent.type(screen.getByLabelText("Title"), "  Buy milk  ");
    await userEvent.type(screen.getByLabelText("Description (optional)"), "2 litres");
    await userEvent.click(screen.getByRole("button", { name: "Add task" }));
    expect(onSubmit).toHaveBeenCalledWith({ title: "Buy milk", description: "2 litres" });
    await waitFor(() => expect(screen.getByLabelText("Title")).toHaveValue(""));
  });

  it("keeps what was typed and shows the message when the service is down", async () => {
    const onSubmit = vi.fn(async () => {
      throw new ApiError(503, SERVICE_UNAVAILABLE);
    });
    render(<TaskForm idPrefix="t" submitLabel="Add task" busyLabel="Adding…" onSubmit={onSubmit} clearOnSuccess />);
    await userEvent.type(screen.getByLabelText("Title"), "Call the plumber");
    await userEvent.click(screen.getByRole("button", { name: "Add task" }));
    expect(await screen.findByRole("alert")).toHaveTextContent(SERVICE_UNAVAILABLE);
    expect(screen.getByLabelText("Title")).toHaveValue("Call the plumber");
  });

  it("sends the person to sign in when the session has ended", async () => {
    const onSubmit = vi.fn(async () => {
      throw new ApiError(401, "Your session has ended. Please sign in again.");
    });
    render(<TaskForm idPrefix="t" submitLabel="Save" busyLabel="Saving…" onSubmit={onSubmit} />);
    await userEvent.type(screen.getByLabelText("Title"), "x");
    await userEvent.click(screen.getByRole("button", { name: "Save" }));
    await waitFor(() => expect(router.replace).toHaveBeenCalledWith("/signin?reason=expired"));
  });
});

describe("useTasks", () => {
  const rendered = [{ id: 1, user_id: "u", title: "From the server", description: null, completed: false, created_at: "2026-01-01T00:00:00Z", updated_at: "2026-01-01T00:00:00Z" }];

  it("uses the server-rendered list without fetching it again, and fetches on a filter change", async () => {
    const fetchMock = scriptFetch({ "GET /api/tasks?status=pending": json([]) });
    const { result, rerender } = renderHook(({ filter }) => useTasks(filter, 0, rendered), {
      initialProps: { filter: "all" as "all" | "pending" },
    });
    expect(result.current).toMatchObject({ tasks: rendered, loading: false, error: null });
    expect(fetchMock).not.toHaveBeenCalled();
    rerender({ filter: "pending" });
    await waitFor(() => expect(result.current).toMatchObject({ tasks: [], loading: false }));
    expect(fetchMock).toHaveBeenCalledTimes(1);
  });

  it("fetches the list itself when the server could not", async () => {
    const fetchMock = scriptFetch({ "GET /api/tasks?status=all": json(rendered) });
    const { result } = renderHook(() => useTasks("all", 0, null));
    expect(result.current.loading).toBe(true);
    await waitFor(() => expect(result.current.tasks).toEqual(rendered));
    expect(fetchMock).toHaveBeenCalledTimes(1);
  });

  it("reports a failure and loads again on reload()", async () => {
    scriptFetch({ "GET /api/tasks?status=all": [json({ detail: "down" }, 503), json(rendered)] });
    const { result } = renderHook(() => useTasks("all", 0, null));
    await waitFor(() => expect(result.current.error).toBe(SERVICE_UNAVAILABLE));
    act(() => result.current.reload());
    await waitFor(() => expect(result.current).toMatchObject({ tasks: rendered, error: null, loading: false }));
  });
});

describe("TaskItem", () => {
  const task = {
    id: 3,
    user_id: "u",
    title: "Walk the dog",
    description: "Around the park",
    completed: false,
    created_at: "2026-01-01T10:00:00Z",
    updated_at: "2026-01-01T10:00:00Z",
  };

  function renderItem(onChanged = vi.fn()) {
    render(
      <ul>
        <TaskItem task={task} onChanged={onChanged} />
      </ul>,
    );
    return onChanged;
  }

  it("ticks the box at once, toggles on the server and asks for a fresh list", async () => {
    const fetchMock = scriptFetch({ "PATCH /api/tasks/3/complete": json({ ...task, completed: true }) });
    const onChanged = renderItem();
    await userEvent.click(screen.getByRole("checkbox", { name: /Walk the dog/ }));
    expect(screen.getByRole("checkbox")).toBeChecked();
    await waitFor(() => expect(onChanged).toHaveBeenCalledTimes(1));
    expect(fetchMock).toHaveBeenCalledTimes(1);
  });

  it("unticks the box again and says why when the toggle fails", async () => {
    scriptFetch({ "PATCH /api/tasks/3/complete": json({ detail: SERVICE_UNAVAILABLE }, 503) });
    const onChanged = renderItem();
    await userEvent.click(screen.getByRole("checkbox", { name: /Walk the dog/ }));
    expect(await screen.findByRole("alert")).toHaveTextContent(SERVICE_UNAVAILABLE);
    expect(screen.getByRole("checkbox")).not.toBeChecked();
    expect(onChanged).not.toHaveBeenCalled();
  });

  it("deletes only after confirmation", async () => {
    const fetchMock = scriptFetch({ "DELETE /api/tasks/3": () => new Response(null, { status: 204 }) });
    const onChanged = renderItem();
    await userEvent.click(screen.getByRole("button", { name: "Delete Walk the dog" }));
    expect(screen.getByRole("alertdialog")).toHaveTextContent("Delete this task?");
    expect(screen.getByRole("button", { name: "Keep it" })).toHaveFocus();
    await userEvent.click(screen.getByRole("button", { name: "Keep it" }));
    expect(screen.queryByRole("alertdialog")).toBeNull();
    expect(fetchMock).not.toHaveBeenCalled();

    await userEvent.click(screen.getByRole("button", { name: "Delete Walk the dog" }));
    await userEvent.click(screen.getByRole("button", { name: "Delete task" }));
    await waitFor(() => expect(onChanged).toHaveBeenCalledTimes(1));
    expect(fetchMock).toHaveBeenCalledTimes(1);
  });

  it("edits the title and description in place", async () => {
    const fetchMock = scriptFetch({ "PUT /api/tasks/3": json({ ...task, title: "Walk the cat" }) });
    const onChanged = renderItem();
    await userEvent.click(screen.getByRole("button", { name: "Edit Walk the dog" }));
    const title = screen.getByLabelText("Title");
    expect(title).toHaveValue("Walk the dog");
    await userEvent.clear(title);
    await userEvent.type(title, "Walk the cat");
    await userEvent.click(screen.getByRole("button", { name: "Save" }));
    await waitFor(() => expect(onChanged).toHaveBeenCalledTimes(1));
    expect(JSON.parse(String(fetchMock.mock.calls[0]![1]?.body))).toEqual({
      title: "Walk the cat",
      description: "Around the park",
    });
  });
});

describe("ChatPanel", () => {
  const conversation = { id: 4, title: "Groceries", created_at: "2026-01-01T10:00:00Z", updated_at: "2026-01-01T10:00:00Z" };

  it("sends a message, shows the reply and its tools, and refreshes the task list", async () => {
    const fetchMock = scriptFetch({
      "GET /api/conversations": [json([]), json([conversation])],
      "POST /api/chat": json({
        conversation_id: 4,
        response: "I added “buy groceries” to your list.",
        tool_calls: [{ tool: "add_task", arguments: { title: "buy groceries" }, result: { task_id: 1 } }],
      }),
    });
    const onTasksChanged = vi.fn();
    render(<ChatPanel onTasksChanged={onTasksChanged} />);

    await userEvent.type(screen.getByLabelText("Message the assistant"), "Add a task to buy groceries{Enter}");

    expect(await screen.findByText("I added “buy groceries” to your list.")).toBeVisible();
    expect(screen.getByText("Add a task to buy groceries")).toBeVisible();
    expect(screen.getByTestId("tool-call")).toHaveTextContent("add_task · buy groceries");
    expect(onTasksChanged).toHaveBeenCalledTimes(1);
    expect(screen.getByLabelText("Message the assistant")).toHaveValue("");
    await waitFor(() => expect(screen.getByRole("option", { name: /Groceries/ })).toBeInTheDocument());
    const chatCall = fetchMock.mock.calls.find(([url]) => url === "/api/chat");
    expect(JSON.parse(String(chatCall?.[1]?.body))).toEqual({ message: "Add a task to buy groceries" });
  });

  it("continues the same conversation on the next message", async () => {
    const fetchMock = scriptFetch({
      "GET /api/conversations": json([conversation]),
      "POST /api/chat": json({ conversation_id: 4, response: "Done.", tool_calls: [] }),
    });
    render(<ChatPanel onTasksChanged={vi.fn()} />);
    const box = screen.getByLabelText("Message the assistant");
    await userEvent.type(box, "first{Enter}");
    await screen.findByText("Done.");
    await userEvent.type(box, "second{Enter}");
    await waitFor(() => expect(screen.getAllByText("Done.")).toHaveLength(2));
    const bodies = fetchMock.mock.calls.filter(([url]) => url === "/api/chat").map(([, init]) => JSON.parse(String(init?.body)));
    expect(bodies).toEqual([{ message: "first" }, { message: "second", conversation_id: 4 }]);
  });

  it("keeps the message in the box and says why when the service is unavailable", async () => {
    scriptFetch({
      "GET /api/conversations": json([]),
      "POST /api/chat": json({ detail: SERVICE_UNAVAILABLE }, 503),
    });
    const onTasksChanged = vi.fn();
    render(<ChatPanel onTasksChanged={onTasksChanged} />);
    await userEvent.type(screen.getByLabelText("Message the assistant"), "Add a task to call mom{Enter}");
    expect(await screen.findByRole("alert")).toHaveTextContent(SERVICE_UNAVAILABLE);
    expect(screen.getByLabelText("Message the assistant")).toHaveValue("Add a task to call mom");
    expect(onTasksChanged).not.toHaveBeenCalled();
  });

  it("retries a turn the backend saved before the assistant failed in the same conversation", async () => {
    const fetchMock = scriptFetch({
      "GET /api/conversations": json([]),
      "POST /api/chat": [
        json({ detail: "the assistant is unavailable, try again; your message is saved", conversation_id: 6 }, 503),
        json({ conversation_id: 6, response: "Added.", tool_calls: [] }),
      ],
    });
    render(<ChatPanel onTasksChanged={vi.fn()} />);
    await userEvent.type(screen.getByLabelText("Message the assistant"), "Add milk{Enter}");
    await screen.findByRole("alert");
    await userEvent.click(screen.getByRole("button", { name: "Send" }));
    await screen.findByText("Added.");
    const bodies = fetchMock.mock.calls.filter(([url]) => url === "/api/chat").map(([, init]) => JSON.parse(String(init?.body)));
    expect(bodies).toEqual([{ message: "Add milk" }, { message: "Add milk", conversation_id: 6 }]);
  });

  it("reopens an earlier conversation with its history", async () => {
    scriptFetch({
      "GET /api/conversations": json([conversation]),
      "GET /api/conversations/4/messages": json([
        { id: 1, role: "user", content: "What is pending?", tool_calls: null, created_at: "2026-01-01T10:00:00Z" },
        {
          id: 2,
          role: "assistant",
          content: "You have 1 pending task.",
          tool_calls: [{ tool: "list_tasks", arguments: { status: "pending" }, result: {} }],
          created_at: "2026-01-01T10:00:01Z",
        },
      ]),
    });
    render(<ChatPanel onTasksChanged={vi.fn()} />);
    const picker = screen.getByLabelText("Earlier conversations");
    await waitFor(() => expect(picker).toBeEnabled());
    await userEvent.selectOptions(picker, "4");
    expect(await screen.findByText("You have 1 pending task.")).toBeVisible();
    expect(screen.getByText("What is pending?")).toBeVisible();
    expect(screen.getByTestId("tool-call")).toHaveTextContent("list_tasks · pending");
  });

  it("does not send a blank message", async () => {
    const fetchMock = scriptFetch({ "GET /api/conversations": json([]) });
    render(<ChatPanel onTasksChanged={vi.fn()} />);
    await userEvent.click(screen.getByRole("button", { name: "Send" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("Type a message first.");
    expect(fetchMock.mock.calls.every(([url]) => url !== "/api/chat")).toBe(true);
  });
});
