import { REQUEST_ID_HEADER } from "./request-id";

const DEFAULT_BACKEND_URL = "http://localhost:8000";
export const DEFAULT_TIMEOUT_MS = 15_000;

/** The backend could not be reached (refused, reset, DNS, timeout, bad URL): the browser gets a 503. */
export class BackendUnavailableError extends Error {
  constructor(cause: unknown) {
    super(`backend unreachable: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = "BackendUnavailableError";
  }
}

/** Read on every call, never at build time, so one image serves every environment. */
export function backendBaseUrl(): string {
  const configured = process.env.BACKEND_URL?.trim();
  return (configured || DEFAULT_BACKEND_URL).replace(/\/+$/, "");
}

export interface BackendCall {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** Path on the backend, starting with "/api/". */
  path: string;
  requestId: string;
  token?: string;
  body?: string;
  timeoutMs?: number;
}

/** Pause before the one retry of a GET; long enough for a replaced connection, short enough to go unnoticed. */
const GET_RETRY_DELAY_MS = 100;

/**
 * Sends one call to the backend. A GET that failed on the connection itself (e.g. a keep-alive connection
 * to a backend pod that is shutting down during a rollout) is sent once more; a write never is, since it
 * may have reached the backend. A timeout is not retried either.
 */
export async function callBackend(call: BackendCall): Promise<Response> {
  try {
    return await send(call);
  } catch (error) {
    if (call.method !== "GET" || isTimeout(error)) throw new BackendUnavailableError(error);
  }
  await new Promise((resolve) => setTimeout(resolve, GET_RETRY_DELAY_MS));
  try {
    return await send(call);
  } catch (error) {
    throw new BackendUnavailableError(error);
  }
}

function send(call: BackendCall): Promise<Response> {
  const headers = new Headers({ accept: "application/json", [REQUEST_ID_HEADER]: call.requestId });
  if (call.token) headers.set("authorization", `Bearer ${call.token}`);
  if (call.body !== undefined) headers.set("content-type", "application/json");
  return fetch(`${backendBaseUrl()}${call.path}`, {
    method: call.method,
    headers,
    body: call.body,
    cache: "no-store",
    redirect: "manual",
    signal: AbortSignal.timeout(call.timeoutMs ?? DEFAULT_TIMEOUT_MS),
  });
}

function isTimeout(error: unknown): boolean {
  return error instanceof DOMException && (error.name === "TimeoutError" || error.name === "AbortError");
}
