"use client";

import { useCallback, useEffect, useReducer, useRef, useState, type FormEvent, type KeyboardEvent } from "react";

import { useErrorMessage } from "@/hooks/useErrorMessage";
import { ApiError, api } from "@/lib/api-client";
import { changesTasks, chatReducer, initialChatState, savedConversationId } from "@/lib/chat-state";
import type { Conversation } from "@/lib/types";
import { validateChatMessage } from "@/lib/validation";

import { ChatMessage } from "./ChatMessage";

const SUGGESTIONS = ["Add a task to buy groceries", "What is still pending?", "Mark task 1 as done"];
const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

function conversationLabel(conversation: Conversation): string {
  const when = dateFormat.format(new Date(conversation.updated_at));
  return conversation.title ? `${conversation.title} — ${when}` : `Conversation ${conversation.id} — ${when}`;
}

export function ChatPanel({ onTasksChanged }: { onTasksChanged: () => void }) {
  const toMessage = useErrorMessage();
  const [state, dispatch] = useReducer(chatReducer, initialChatState);
  const [conversations, setConversations] = useState<Conversation[]>([]);
  const [conversationsError, setConversationsError] = useState<string | null>(null);
  const endRef = useRef<HTMLDivElement>(null);
  const inputRef = useRef<HTMLTextAreaElement>(null);
  const sending = state.phase === "sending";

  const refreshConversations = useCallback(async () => {
    try {
      setConversations(await api.listConversations());
      setConversationsError(null);
    } catch (error) {
      setConversationsError(toMessage(error));
    }
  }, [toMessage]);

  useEffect(() => {
    let current = true;
    api.listConversations().then(
      (list) => current && setConversations(list),
      (error: unknown) => current && setConversationsError(toMessage(error)),
    );
    return () => {
      current = false;
    };
  }, [toMessage]);

  useEffect(() => {
    endRef.current?.scrollIntoView?.({ block: "end" });
  }, [state.entries.length, sending]);

  async function send(event?: FormEvent) {
    event?.preventDefault();
    if (sending) return;
    const message = state.draft;
    const problem = validateChatMessage(message);
    if (problem) {
      dispatch({ type: "message-rejected", error: problem });
      return;
    }
    dispatch({ type: "send-started", message });
    try {
      const reply = await api.sendChat(message.trim(), state.conversationId);
      dispatch({ type: "send-succeeded", reply });
      if (changesTasks(reply.tool_calls)) onTasksChanged();
      if (reply.conversation_id !== state.conversationId) void refreshConversations();
    } catch (error) {
      const saved = error instanceof ApiError ? savedConversationId(error.payload) : null;
      dispatch({ type: "send-failed", message, error: toMessage(error), savedInConversation: saved });
      if (saved !== null && saved !== state.conversationId) void refreshConversations();
    }
    inputRef.current?.focus();
  }

  async function openConversation(id: number) {
    dispatch({ type: "history-requested", conversationId: id });
    try {
      dispatch({ type: "history-loaded", conversationId: id, messages: await api.listMessages(id) });
    } catch (error) {
      dispatch({ type: "history-failed", error: toMessage(error) });
    }
  }

  function onComposerKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (event.key === "Enter" && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      void send();
    }
  }

  return (
    <div className="card flex h-full min-h-[28rem] flex-col overflow-hidden lg:max-h-[calc(100dvh-7rem)]">
      <div className="flex flex-wrap items-center justify-between gap-2 border-b border-slate-200 px-4 py-3">
        <h2 id="chat-heading" className="text-base font-semibold text-slate-900">
          Assistant
        </h2>
        <button
          type="button"
          className="btn-secondary py-1.5"
          onClick={() => dispatch({ type: "new-conversation" })}
          disabled={sending}
        >
          New chat
        </button>
        <div className="w-full">
          <label htmlFor="conversation-picker" className="sr-only">
            Earlier conversations
          </label>
          <select
            id="conversation-picker"
            className="field-input py-1.5"
            value={state.conversationId ?? ""}
            disabled={sending || conversations.length === 0}
            onChange={(event) => {
              const id = Number(event.target.value);
              if (id > 0) void openConversation(id);
              else dispatch({ type: "new-conversation" });
            }}
          >
            <option value="">{conversations.length === 0 ? "No earlier conversations" : "New conversation"}</option>
            {conversations.map((conversation) => (
              <option key={conversation.id} value={conversation.id}>
                {conversationLabel(conversation)}
              </option>
            ))}
          </select>
          {conversationsError ? <p className="field-error">{conversationsError}</p> : null}
        </div>
      </div>

      <div className="flex-1 overflow-y-auto bg-slate-50/60 px-4 py-4">
        {state.phase === "loading-history" ? (
          <p className="py-6 text-center text-sm text-slate-500">Loading conversation…</p>
        ) : state.entries.length === 0 ? (
          <div className="py-6 text-center">
            <p className="text-sm text-slate-600">Ask me to add, list, complete, update or delete tasks.</p>
            <ul className="mt-4 flex flex-wrap justify-center gap-2">
              {SUGGESTIONS.map((suggestion) => (
                <li key={suggestion}>
                  <button
                    type="button"
                    className="rounded-full border border-slate-300 bg-white px-3 py-1 text-xs text-slate-700 hover:border-indigo-400 hover:text-indigo-700"
                    onClick={() => {
                      dispatch({ type: "draft-changed", draft: suggestion });
                      inputRef.current?.focus();
                    }}
                  >
                    {suggestion}
                  </button>
                </li>
              ))}
            </ul>
          </div>
        ) : (
          <div role="log" aria-label="Conversation" aria-live="polite" className="space-y-3">
            {state.entries.map((entry) => (
              <ChatMessage key={entry.key} entry={entry} />
            ))}
          </div>
        )}
        {sending ? (
          <p role="status" className="mt-3 text-sm text-slate-500">
            The assistant is thinking…
          </p>
        ) : null}
        <div ref={endRef} />
      </div>

      <form onSubmit={send} className="border-t border-slate-200 bg-white p-3">
        {state.error ? (
          <div role="alert" className="alert-error mb-2 flex items-start justify-between gap-2">
            <span>{state.error}</span>
            <button
              type="button"
              className="text-red-900 underline-offset-2 hover:underline"
              onClick={() => dispatch({ type: "error-dismissed" })}
            >
              Dismiss
            </button>
          </div>
        ) : null}
        <label htmlFor="chat-message" className="sr-only">
          Message the assistant
        </label>
        <div className="flex items-end gap-2">
          <textarea
            id="chat-message"
            ref={inputRef}
            rows={2}
            className="field-input min-h-[2.75rem] flex-1 resize-none"
            placeholder="e.g. Add a task to call mom tomorrow"
            value={state.draft}
            onChange={(event) => dispatch({ type: "draft-changed", draft: event.target.value })}
            onKeyDown={onComposerKeyDown}
          />
          <button type="submit" className="btn-primary" disabled={sending}>
            {sending ? "Sending…" : "Send"}
          </button>
        </div>
        <p className="mt-1 text-xs text-slate-500">Enter to send · Shift+Enter for a new line</p>
      </form>
    </div>
  );
}
