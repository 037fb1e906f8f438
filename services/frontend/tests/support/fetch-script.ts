import { vi } from "vitest";

export type Route = (init: RequestInit | undefined) => Response | Promise<Response>;

/**
 * Replaces the browser's fetch with scripted answers keyed by "METHOD path"; unknown calls fail the test.
 * Each key may hold a queue of answers, consumed in order (the last one repeats).
 */
export function scriptFetch(routes: Record<string, Route | Route[]>) {
  const queues = new Map(Object.entries(routes).map(([key, value]) => [key, Array.isArray(value) ? [...value] : [value]]));
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const key = `${init?.method ?? "GET"} ${String(input)}`;
    const queue = queues.get(key);
    if (!queue || queue.length === 0) throw new Error(`unexpected fetch: ${key}`);
    const route = queue.length > 1 ? queue.shift()! : queue[0]!;
    return route(init);
  });
  vi.stubGlobal("fetch", fetchMock);
  return fetchMock;
}

export const json =
  (body: unknown, status = 200): Route =>
  () =>
    Response.json(body, { status });
