import { NETWORK_FAILURE, SERVICE_UNAVAILABLE, SESSION_ENDED } from "./messages";
import type {
  AuthResult,
  ChatReply,
  Conversation,
  StoredMessage,
  Task,
  TaskFilter,
  TaskInput,
  User,
} from "./types";

/** A failed call, with a message written for the person using the app. `status` is 0 when nothing answered. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** The parsed error body, for callers that need more than the message. */
    readonly payload?: unknown,
  ) {
    super(message);
    this.name = "ApiError";
  }

  get isUnauthorized(): boolean {
    return this.status === 401;
  }
}

interface ValidationIssue {
  loc?: unknown[];
  msg?: unknown;
}

function describeValidationIssues(issues: ValidationIssue[]): string {
  const lines = issues.map((issue) => {
    const field = issue.loc?.filter((part) => part !== "body").at(-1);
    const text = typeof issue.msg === "string" ? issue.msg : "is invalid";
    return typeof field === "string" ? `${field}: ${text}` : text;
  });
  return lines.length > 0 ? asSentence(lines.join("; ")) : "Some of the values are invalid.";
}

function asSentence(text: string): string {
  const trimmed = text.trim();
  const capitalised = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
  return /[.!?]$/.test(capitalised) ? capitalised : `${capitalised}.`;
}

/** Turns an error response into one sentence; FastAPI's `detail` may be a string or a list of issues. */
export function messageForFailure(status: number, detail: unknown): string {
  if (status === 503 || status === 502 || status === 504) return SERVICE_UNAVAILABLE;
  if (status === 401) return SESSION_ENDED;
  if (typeof detail === "string" && detail.trim() !== "") return asSentence(detail);
  if (Array.isArray(detail)) return describeValidationIssues(detail as ValidationIssue[]);
  if (status === 404) return "That item no longer exists.";
  if (status === 413) return "That is too long to send.";
  if (status === 422) return "Some of the values are invalid.";
  if (status >= 500) return "Something went wrong on our side. Please try again.";
  return `The request failed (HTTP ${status}).`;
}

type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

export async function apiRequest<T>(method: Method, path: string, body?: unknown): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers: body === undefined ? { accept: "application/json" } : { accept: "application/json", "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin",
      cache: "no-store",
    });
  } catch {
    throw new ApiError(0, NETWORK_FAILURE);
  }
  if (response.status === 204) return undefined as T;
  const payload: unknown = await response.json().catch(() => undefined);
  if (!response.ok) {
    const detail = typeof payload === "object" && payload !== null ? (payload as { detail?: unknown }).detail : undefined;
    throw new ApiError(response.status, messageForFailure(response.status, detail), payload);
  }
  return payload as T;
}

export const api = {
  signUp: (input: { name: string; email: string; password: string }) =>
    apiRequest<Pick<AuthResult, "user">>("POST", "/api/auth/signup", input),
  signIn: (input: { email: string; password: string }) =>
    apiRequest<Pick<AuthResult, "user">>("POST", "/api/auth/login", input),
  signOut: () => apiRequest<void>("POST", "/api/auth/logout"),
  me: () => apiRequest<User>("GET", "/api/auth/me"),
  listTasks: (filter: TaskFilter) => apiRequest<Task[]>("GET", `/api/tasks?status=${filter}`),
  createTask: (input: TaskInput) => apiRequest<Task>("POST", "/api/tasks", input),
  updateTask: (id: number, input: TaskInput) => apiRequest<Task>("PUT", `/api/tasks/${id}`, input),
  deleteTask: (id: number) => apiRequest<void>("DELETE", `/api/tasks/${id}`),
  toggleTask: (id: number) => apiRequest<Task>("PATCH", `/api/tasks/${id}/complete`),
  sendChat: (message: string, conversationId: number | null) =>
    apiRequest<ChatReply>(
      "POST",
      "/api/chat",
      conversationId === null ? { message } : { message, conversation_id: conversationId },
    ),
  listConversations: () => apiRequest<Conversation[]>("GET", "/api/conversations"),
  listMessages: (conversationId: number) =>
    apiRequest<StoredMessage[]>("GET", `/api/conversations/${conversationId}/messages`),
};
