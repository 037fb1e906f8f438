import type { Task, User } from "@/lib/types";

import { callBackend, type BackendCall } from "./backend";
import { userPath } from "./bff";
import { logEvent } from "./log";
import type { Session } from "./session";

// The page must not hang on a slow backend: past this, the browser fetches the list itself.
const PAGE_DATA_TIMEOUT_MS = 3_000;

export interface TasksPageData {
  user: User | null;
  tasks: Task[] | null;
}

async function fetchJsonOrNull<T>(call: BackendCall): Promise<T | null> {
  try {
    const response = await callBackend(call);
    if (response.ok) return (await response.json()) as T;
    // 401 included: the browser's own call then ends the session (the cookie can only be cleared there).
    logEvent("info", "page data unavailable", { request_id: call.requestId, path: call.path, status: response.status });
  } catch (error) {
    logEvent("warning", "page data unavailable", {
      request_id: call.requestId,
      path: call.path,
      error: error instanceof Error ? error.message : String(error),
    });
  }
  return null;
}

/**
 * The user and the whole task list, fetched while the server renders the task page so the list is on the
 * first paint; null parts are fetched again by the browser, which also reports any failure.
 */
export async function loadTasksPageData(session: Session, requestId: string): Promise<TasksPageData> {
  const common = { method: "GET" as const, requestId, token: session.token, timeoutMs: PAGE_DATA_TIMEOUT_MS };
  const [user, tasks] = await Promise.all([
    fetchJsonOrNull<User>({ ...common, path: "/api/auth/me" }),
    fetchJsonOrNull<Task[]>({ ...common, path: userPath(session, "/tasks?status=all") }),
  ]);
  return { user, tasks: Array.isArray(tasks) ? tasks : null };
}
