/** Shapes of the backend's public HTTP API (docs/architecture.md, "Public HTTP API"). */

export interface User {
  id: string;
  email: string;
  name: string;
}

export interface AuthResult {
  token: string;
  user: User;
}

export interface Task {
  id: number;
  user_id: string;
  title: string;
  description: string | null;
  completed: boolean;
  created_at: string;
  updated_at: string;
}

export const TASK_FILTERS = ["all", "pending", "completed"] as const;
export type TaskFilter = (typeof TASK_FILTERS)[number];

export interface TaskInput {
  title: string;
  description: string;
}

export interface ToolCall {
  tool: string;
  arguments: Record<string, unknown>;
  result: unknown;
}

export interface ChatReply {
  conversation_id: number;
  response: string;
  tool_calls: ToolCall[];
}

export interface Conversation {
  id: number;
  title: string | null;
  created_at: string;
  updated_at: string;
}

export interface StoredMessage {
  id: number;
  role: "user" | "assistant";
  content: string;
  tool_calls: ToolCall[] | null;
  created_at: string;
}
