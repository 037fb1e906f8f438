import { describe, expect, it } from "vitest";

import {
  changesTasks,
  chatReducer,
  describeToolCall,
  initialChatState,
  savedConversationId,
  type ChatState,
} from "@/lib/chat-state";
import type { ChatReply } from "@/lib/types";

const reply: ChatReply = {
  conversation_id: 12,
  response: "Added “buy groceries”.",
  tool_calls: [{ tool: "add_task", arguments: { title: "buy groceries" }, result: { task_id: 5 } }],
};

function typed(draft: string): ChatState {
  return chatReducer(initialChatState, { type: "draft-changed", draft });
}

describe("chatReducer", () => {
  it("shows the user's message at once and clears the box while sending", () => {
    const state = chatReducer(typed("Add a task"), { type: "send-started", message: "Add a task" });
    expect(state.phase).toBe("sending");
    expect(state.draft).toBe("");
    expect(state.entries).toMatchObject([{ role: "user", content: "Add a task" }]);
  });

  it("adds the reply with its tool calls and remembers the conversation", () => {
    const sending = chatReducer(typed("Add a task"), { type: "send-started", message: "Add a task" });
    const state = chatReducer(sending, { type: "send-succeeded", reply });
    expect(state.conversationId).toBe(12);
    expect(state.phase).toBe("idle");
    expect(state.entries.map((entry) => entry.role)).toEqual(["user", "assistant"]);
    expect(state.entries[1]!.toolCalls).toEqual(reply.tool_calls);
    expect(new Set(state.entries.map((entry) => entry.key)).size).toBe(2);
  });

  it("puts a failed message back in the box and removes it from the log", () => {
    const sending = chatReducer(typed("Add a task"), { type: "send-started", message: "Add a task" });
    const state = chatReducer(sending, { type: "send-failed", message: "Add a task", error: "unavailable" });
    expect(state.draft).toBe("Add a task");
    expect(state.entries).toEqual([]);
    expect(state.error).toBe("unavailable");
  });

  it("continues in the conversation where the backend saved a failed message", () => {
    const sending = chatReducer(typed("hello"), { type: "send-started", message: "hello" });
    const failed = chatReducer(sending, { type: "send-failed", message: "hello", error: "x", savedInConversation: 8 });
    expect(failed.conversationId).toBe(8);
    const plain = chatReducer(sending, { type: "send-failed", message: "hello", error: "x" });
    expect(plain.conversationId).toBeNull();
  });

  it("keeps what was typed during a failed send instead of overwriting it", () => {
    const sending = chatReducer(typed("first"), { type: "send-started", message: "first" });
    const retyped = chatReducer(sending, { type: "draft-changed", draft: "second" });
    expect(chatReducer(retyped, { type: "send-failed", message: "first", error: "x" }).draft).toBe("second");
  });

  it("keeps earlier turns when a later one fails", () => {
    let state = chatReducer(typed("one"), { type: "send-started", message: "one" });
    state = chatReducer(state, { type: "send-succeeded", reply });
    state = chatReducer(state, { type: "send-started", message: "two" });
    state = chatReducer(state, { type: "send-failed", message: "two", error: "x" });
    expect(state.entries.map((entry) => entry.content)).toEqual(["one", reply.response]);
    expect(state.conversationId).toBe(12);
  });

  it("starts a new conversation without losing the draft", () => {
    let state = chatReducer(typed("x"), { type: "send-started", message: "x" });
    state = chatReducer(state, { type: "send-succeeded", reply });
    state = chatReducer(state, { type: "draft-changed", draft: "next" });
    state = chatReducer(state, { type: "new-conversation" });
    expect(state).toMatchObject({ conversationId: null, entries: [], draft: "next" });
  });

  it("loads an earlier conversation and ignores a late answer for another one", () => {
    let state = chatReducer(initialChatState, { type: "history-requested", conversationId: 3 });
    expect(state.phase).toBe("loading-history");
    const stale = chatReducer(state, { type: "history-loaded", conversationId: 9, messages: [] });
    expect(stale).toBe(state);
    state = chatReducer(state, {
      type: "history-loaded",
      conversationId: 3,
      messages: [
        { id: 1, role: "user", content: "hi", tool_calls: null, created_at: "2026-01-01T00:00:00Z" },
        { id: 2, role: "assistant", content: "hello", tool_calls: [], created_at: "2026-01-01T00:00:01Z" },
      ],
    });
    expect(state.phase).toBe("idle");
    expect(state.entries.map((entry) => [entry.role, entry.content])).toEqual([
      ["user", "hi"],
      ["assistant", "hello"],
    ]);
  });
});

describe("changesTasks", () => {
  it("is true only when a tool that writes tasks ran", () => {
    expect(changesTasks(reply.tool_calls)).toBe(true);
    expect(changesTasks([{ tool: "list_tasks", arguments: { status: "all" }, result: {} }])).toBe(false);
    expect(changesTasks([])).toBe(false);
  });
});

describe("describeToolCall", () => {
  it("names the tool and what it acted on", () => {
    expect(describeToolCall(reply.tool_calls[0]!)).toBe("add_task · buy groceries");
    expect(describeToolCall({ tool: "complete_task", arguments: { task_id: 4 }, result: null })).toBe(
      "complete_task · task 4",
    );
    expect(describeToolCall({ tool: "list_tasks", arguments: {}, result: null })).toBe("list_tasks");
  });
});

describe("savedConversationId", () => {
  it("reads the conversation id from the backend's 503 answer", () => {
    expect(savedConversationId({ detail: "unavailable", conversation_id: 8 })).toBe(8);
    expect(savedConversationId({ detail: "unavailable" })).toBeNull();
    expect(savedConversationId({ conversation_id: "8" })).toBeNull();
    expect(savedConversationId(undefined)).toBeNull();
  });
});
