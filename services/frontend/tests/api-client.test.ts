import { afterEach, describe, expect, it, vi } from "vitest";

import { ApiError, api, messageForFailure } from "@/lib/api-client";
import { NETWORK_FAILURE, SERVICE_UNAVAILABLE, SESSION_ENDED } from "@/lib/messages";

function respondWith(status: number, body?: unknown) {
  const fetchMock = vi.fn<typeof fetch>(async () =>
    body === undefined ? new Response(null, { status }) : Response.json(body, { status }),
  );
  vi.stubGlobal("fetch", fetchMock);
  return fetchMock;
}

afterEach(() => vi.unstubAllGlobals());

describe("api client", () => {
  it("sends JSON to the app's own origin and returns the parsed answer", async () => {
    const task = { id: 7, title: "Buy milk" };
    const fetchMock = respondWith(201, task);
    await expect(api.createTask({ title: "Buy milk", description: "" })).resolves.toEqual(task);
    const [url, init] = fetchMock.mock.calls[0]!;
    expect(url).toBe("/api/tasks");
    expect(init?.method).toBe("POST");
    expect(new Headers(init?.headers).get("content-type")).toBe("application/json");
    expect(JSON.parse(String(init?.body))).toEqual({ title: "Buy milk", description: "" });
  });

  it("asks for the chosen filter and sends conversation ids only when there is one", async () => {
    const fetchMock = respondWith(200, []);
    await api.listTasks("completed");
    expect(fetchMock.mock.calls[0]![0]).toBe("/api/tasks?status=completed");

    respondWith(200, { conversation_id: 3, response: "ok", tool_calls: [] });
    await api.sendChat("hi", null);
    await api.sendChat("again", 3);
    const bodies = vi.mocked(fetch).mock.calls.map(([, init]) => JSON.parse(String(init?.body)));
    expect(bodies).toEqual([{ message: "hi" }, { message: "again", conversation_id: 3 }]);
  });

  it("returns nothing for 204 No Content", async () => {
    respondWith(204);
    await expect(api.deleteTask(4)).resolves.toBeUndefined();
  });

  it("says the service is unavailable on 503", async () => {
    respondWith(503, { detail: "mcp-server down" });
    await expect(api.listTasks("all")).rejects.toMatchObject({ status: 503, message: SERVICE_UNAVAILABLE });
  });

  it("explains validation failures field by field", async () => {
    respondWith(422, {
      detail: [{ loc: ["body", "title"], msg: "String should have at most 200 characters", type: "string_too_long" }],
    });
    await expect(api.createTask({ title: "x", description: "" })).rejects.toMatchObject({
      status: 422,
      message: "Title: String should have at most 200 characters.",
    });
  });

  it("marks a rejected session so the UI can send the person to sign in", async () => {
    respondWith(401, {});
    const error = await api.listTasks("all").catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).isUnauthorized).toBe(true);
    expect((error as ApiError).message).toBe(SESSION_ENDED);
  });

  it("reports a network failure with status 0", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => Promise.reject(new TypeError("Failed to fetch"))));
    await expect(api.me()).rejects.toEqual(new ApiError(0, NETWORK_FAILURE));
  });
});

describe("messageForFailure", () => {
  it("prefers the backend's own sentence, written as one", () => {
    expect(messageForFailure(409, "this email is already registered")).toBe("This email is already registered.");
    expect(messageForFailure(404, "Task 9 not found!")).toBe("Task 9 not found!");
  });

  it("always tells a person with a rejected token that the session ended", () => {
    expect(messageForFailure(401, "invalid or expired token")).toBe(SESSION_ENDED);
  });

  it("falls back to a sentence per status", () => {
    expect(messageForFailure(404, undefined)).toBe("That item no longer exists.");
    expect(messageForFailure(413, undefined)).toBe("That is too long to send.");
    expect(messageForFailure(500, undefined)).toMatch(/our side/);
    expect(messageForFailure(418, undefined)).toBe("The request failed (HTTP 418).");
  });
});
