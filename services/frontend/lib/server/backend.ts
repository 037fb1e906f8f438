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
 * A GET's first try gets at most this of its budget: a kept-alive connection to a backend pod whose node
 * vanished never answers, and the caller should not wait out the whole timeout on it.
 */
export const GET_ATTEMPT_TIMEOUT_MS = 4_000;

/**
 * Sends one call to the backend. A GET is sent once more when the first try failed on the connection (e.g. a
 * keep-alive connection to a backend pod that is shutting down during a rollout) or got no answer within
 * GET_ATTEMPT_TIMEOUT_MS (a pod on a lost node), if its budget leaves time; the second try gets what is left.
 * A write is never sent again, since it may have reached the backend.
 */
export async function callBackend(call: BackendCall): Promise<Response> {
  const budgetMs = call.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (call.method !== "GET") return sendOrUnavailable(call, budgetMs);
  const started = performance.now();
  let firstFailure: unknown;
  try {
    return await send(call, Math.min(GET_ATTEMPT_TIMEOUT_MS, budgetMs));
  } catch (error) {
    // Any failure of the first try: a GET changes nothing, so sending it again is safe.
    firstFailure = error;
  }
  const leftMs = budgetMs - (performance.now() - started) - GET_RETRY_DELAY_MS;
  if (leftMs <= 0) throw new BackendUnavailableError(firstFailure);
  await new Promise((resolve) => setTimeout(resolve, GET_RETRY_DELAY_MS));
  return sendOrUnavailable(call, leftMs);
}

async function sendOrUnavailable(call: BackendCall, timeoutMs: number): Promise<Response> {
  try {
    return await send(call, timeoutMs);
  } catch (error) {
    throw new BackendUnavailableError(error);
  }
}

function send(call: BackendCall, timeoutMs: number): Promise<Response> {
  const headers = new Headers({ accept: "application/json", [REQUEST_ID_HEADER]: call.requestId });
  if (call.token) headers.set("authorization", `Bearer ${call.token}`);
  if (call.body !== undefined) headers.set("content-type", "application/json");
  return fetch(`${backendBaseUrl()}${call.path}`, {
    method: call.method,
    headers,
    body: call.body,
    cache: "no-store",
    redirect: "manual",
    signal: AbortSignal.timeout(Math.max(1, Math.round(timeoutMs))),
  });
}
