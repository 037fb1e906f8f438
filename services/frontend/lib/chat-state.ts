import type { ChatReply, StoredMessage, ToolCall } from "./types";

export interface ChatEntry {
  key: string;
  role: "user" | "assistant";
  content: string;
  toolCalls: ToolCall[];
}

export interface ChatState {
  conversationId: number | null;
  entries: ChatEntry[];
  /** What is in the message box; restored when sending fails so nothing typed is lost. */
  draft: string;
  phase: "idle" | "sending" | "loading-history";
  error: string | null;
  nextKey: number;
}

export type ChatAction =
  | { type: "draft-changed"; draft: string }
  | { type: "send-started"; message: string }
  | { type: "send-succeeded"; reply: ChatReply }
  | { type: "send-failed"; message: string; error: string; savedInConversation?: number | null }
  | { type: "new-conversation" }
  | { type: "history-requested"; conversationId: number }
  | { type: "history-loaded"; conversationId: number; messages: StoredMessage[] }
  | { type: "history-failed"; error: string }
  | { type: "message-rejected"; error: string }
  | { type: "error-dismissed" };

export const initialChatState: ChatState = {
  conversationId: null,
  entries: [],
  draft: "",
  phase: "idle",
  error: null,
  nextKey: 1,
};

const PENDING_KEY_PREFIX = "pending-";

export function chatReducer(state: ChatState, action: ChatAction): ChatState {
  switch (action.type) {
    case "draft-changed":
      return { ...state, draft: action.draft };
    case "send-started":
      return {
        ...state,
        phase: "sending",
        error: null,
        draft: "",
        entries: [
          ...state.entries,
          { key: `${PENDING_KEY_PREFIX}${state.nextKey}`, role: "user", content: action.message, toolCalls: [] },
        ],
        nextKey: state.nextKey + 1,
      };
    case "send-succeeded":
      return {
        ...state,
        phase: "idle",
        conversationId: action.reply.conversation_id,
        entries: [
          ...state.entries.map((entry) =>
            entry.key.startsWith(PENDING_KEY_PREFIX) ? { ...entry, key: `local-${entry.key.slice(PENDING_KEY_PREFIX.length)}` } : entry,
          ),
          {
            key: `local-${state.nextKey}`,
            role: "assistant",
            content: action.reply.response,
            toolCalls: action.reply.tool_calls,
          },
        ],
        nextKey: state.nextKey + 1,
      };
    case "send-failed":
      return {
        ...state,
        phase: "idle",
        error: action.error,
        // The backend may have stored the message before the assistant failed; sending it again with that
        // conversation id gets it answered once, without a duplicate.
        conversationId: action.savedInConversation ?? state.conversationId,
        // Keep anything typed meanwhile, otherwise put the failed message back in the box.
        draft: state.draft === "" ? action.message : state.draft,
        entries: state.entries.filter((entry) => !entry.key.startsWith(PENDING_KEY_PREFIX)),
      };
    case "new-conversation":
      return { ...initialChatState, draft: state.draft, nextKey: state.nextKey };
    case "history-requested":
      return { ...state, phase: "loading-history", error: null, conversationId: action.conversationId, entries: [] };
    case "history-loaded":
      if (action.conversationId !== state.conversationId) return state;
      return {
        ...state,
        phase: "idle",
        entries: action.messages.map((message) => ({
          key: `stored-${message.id}`,
          role: message.role,
          content: message.content,
          toolCalls: message.tool_calls ?? [],
        })),
      };
    case "history-failed":
      return { ...state, phase: "idle", error: action.error };
    case "message-rejected":
      return { ...state, error: action.error };
    case "error-dismissed":
      return { ...state, error: null };
  }
}

/** Tools that write tasks; after a turn that ran one, the task list must be fetched again. */
const TASK_WRITING_TOOLS = new Set(["add_task", "complete_task", "delete_task", "update_task", "set_task_completion"]);

export function changesTasks(toolCalls: readonly ToolCall[]): boolean {
  return toolCalls.some((call) => TASK_WRITING_TOOLS.has(call.tool));
}

/** A short human label for a tool call, e.g. "add_task · buy groceries". */
export function describeToolCall(call: ToolCall): string {
  const args = call.arguments;
  const subject =
    typeof args.title === "string" ? args.title : typeof args.task_id === "number" ? `task ${args.task_id}` : typeof args.status === "string" ? args.status : null;
  return subject === null ? call.tool : `${call.tool} · ${subject}`;
}

/** The conversation a failed chat turn was stored in, when the backend's 503 answer names it. */
export function savedConversationId(payload: unknown): number | null {
  if (typeof payload !== "object" || payload === null) return null;
  const id = (payload as { conversation_id?: unknown }).conversation_id;
  return typeof id === "number" && Number.isSafeInteger(id) && id > 0 ? id : null;
}
