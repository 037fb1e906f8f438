// @vitest-environment node
import { NextRequest } from "next/server";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";

import { POST as chat } from "@/app/api/chat/route";
import { GET as healthz } from "@/app/api/healthz/route";
import { POST as login } from "@/app/api/auth/login/route";
import { POST as logout } from "@/app/api/auth/logout/route";
import { GET as metrics } from "@/app/api/metrics/route";
import { GET as listTasks, POST as createTask } from "@/app/api/tasks/route";
import { DELETE as deleteTask } from "@/app/api/tasks/[id]/route";
import { PATCH as toggleTask } from "@/app/api/tasks/[id]/complete/route";
import { SERVICE_UNAVAILABLE } from "@/lib/messages";
import { GET_ATTEMPT_TIMEOUT_MS } from "@/lib/server/backend";
import { SESSION_COOKIE } from "@/lib/server/session";

import { RecordingBackend, closedPortUrl, fakeJwt } from "./support/recording-backend";

const USER = "0b8e3f4a-1111-4222-8333-944455556666";
const TOKEN = fakeJwt({ sub: USER, exp: Math.floor(Date.now() / 1000) + 3600 });
const NO_PARAMS = { params: Promise.resolve({}) };
const idParams = (id: string) => ({ params: Promise.resolve({ id }) });

let backend: RecordingBackend;

function browserRequest(path: string, init: { method?: string; body?: string; headers?: Record<string, string> } = {}) {
  return new NextRequest(`http://localhost:3000${path}`, {
    method: init.method ?? "GET",
    body: init.body,
    headers: { cookie: `${SESSION_COOKIE}=${TOKEN}`, ...init.headers },
  });
}

function jsonRequest(path: string, method: string, body: unknown, headers: Record<string, string> = {}) {
  return browserRequest(path, {
    method,
    body: JSON.stringify(body),
    headers: { "content-type": "application/json", ...headers },
  });
}

beforeAll(async () => {
  backend = await RecordingBackend.start();
});

afterAll(async () => {
  await backend.stop();
});

beforeEach(() => {
  vi.stubEnv("BACKEND_URL", backend.url);
  backend.answerWith({ status: 200, body: [] });
  vi.spyOn(process.stdout, "write").mockImplementation(() => true);
});

describe("forwarding to the backend", () => {
  it("calls the user's task route with the token from the cookie and the caller's request id", async () => {
    const response = await listTasks(
      browserRequest("/api/tasks?status=pending", { headers: { "x-request-id": "req-123" } }),
      NO_PARAMS,
    );
    expect(response.status).toBe(200);
    expect(response.headers.get("x-request-id")).toBe("req-123");
    const sent = backend.lastRequest();
    expect(sent.method).toBe("GET");
    expect(sent.url).toBe(`/api/${USER}/tasks?status=pending`);
    expect(sent.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(sent.headers["x-request-id"]).toBe("req-123");
  });

  it("generates a request id when the caller sent none (or a suspicious one)", async () => {
    const response = await listTasks(browserRequest("/api/tasks", { headers: { "x-request-id": "bad id\n" } }), NO_PARAMS);
    const generated = response.headers.get("x-request-id");
    expect(generated).toMatch(/^[0-9a-f-]{36}$/);
    expect(backend.lastRequest().headers["x-request-id"]).toBe(generated);
  });

  it("forwards the JSON body and relays the backend's status and answer", async () => {
    backend.answerWith({ status: 201, body: { id: 1, title: "Buy milk" } });
    const response = await createTask(jsonRequest("/api/tasks", "POST", { title: "Buy milk", description: "" }), NO_PARAMS);
    expect(response.status).toBe(201);
    await expect(response.json()).resolves.toEqual({ id: 1, title: "Buy milk" });
    expect(JSON.parse(backend.lastRequest().body)).toEqual({ title: "Buy milk", description: "" });
    expect(backend.lastRequest().headers["content-type"]).toBe("application/json");
  });

  it("relays validation errors untouched", async () => {
    const detail = [{ loc: ["body", "title"], msg: "String should have at least 1 character", type: "string_too_short" }];
    backend.answerWith({ status: 422, body: { detail } });
    const response = await createTask(jsonRequest("/api/tasks", "POST", { title: "" }), NO_PARAMS);
    expect(response.status).toBe(422);
    await expect(response.json()).resolves.toEqual({ detail });
  });

  it("maps PATCH and DELETE to the task's backend routes; 204 stays bodiless", async () => {
    backend.answerWith({ status: 200, body: { id: 5, completed: true } });
    await toggleTask(browserRequest("/api/tasks/5/complete", { method: "PATCH" }), idParams("5"));
    expect(backend.lastRequest()).toMatchObject({ method: "PATCH", url: `/api/${USER}/tasks/5/complete` });

    backend.answerWith({ status: 204 });
    const response = await deleteTask(browserRequest("/api/tasks/5", { method: "DELETE" }), idParams("5"));
    expect(response.status).toBe(204);
    expect(await response.text()).toBe("");
    expect(backend.lastRequest()).toMatchObject({ method: "DELETE", url: `/api/${USER}/tasks/5` });
  });

  it("reads BACKEND_URL on every request, not once at start", async () => {
    const other = await RecordingBackend.start();
    try {
      vi.stubEnv("BACKEND_URL", `${other.url}/`);
      await listTasks(browserRequest("/api/tasks"), NO_PARAMS);
      expect(other.requests).toHaveLength(1);
    } finally {
      await other.stop();
    }
  });
});

describe("answering without a backend call", () => {
  it("rejects requests without a session with 401", async () => {
    const before = backend.requests.length;
    const response = await listTasks(new NextRequest("http://localhost:3000/api/tasks"), NO_PARAMS);
    expect(response.status).toBe(401);
    expect(backend.requests).toHaveLength(before);
  });

  it("clears an expired session cookie", async () => {
    const expired = fakeJwt({ sub: USER, exp: 1 });
    const response = await listTasks(
      new NextRequest("http://localhost:3000/api/tasks", { headers: { cookie: `${SESSION_COOKIE}=${expired}` } }),
      NO_PARAMS,
    );
    expect(response.status).toBe(401);
    expect(response.headers.get("set-cookie")).toMatch(/Max-Age=0/i);
  });

  it("validates the filter, ids, content type and body size", async () => {
    const before = backend.requests.length;
    expect((await listTasks(browserRequest("/api/tasks?status=done"), NO_PARAMS)).status).toBe(422);
    expect((await deleteTask(browserRequest("/api/tasks/abc", { method: "DELETE" }), idParams("abc"))).status).toBe(404);
    expect((await deleteTask(browserRequest("/api/tasks/0", { method: "DELETE" }), idParams("0"))).status).toBe(404);
    const tooBig = idParams("2147483648");
    expect((await deleteTask(browserRequest("/api/tasks/2147483648", { method: "DELETE" }), tooBig)).status).toBe(404);
    const form = browserRequest("/api/tasks", {
      method: "POST",
      body: "title=x",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect((await createTask(form, NO_PARAMS)).status).toBe(415);
    const huge = jsonRequest("/api/tasks", "POST", { title: "x", description: "d".repeat(70_000) });
    expect((await createTask(huge, NO_PARAMS)).status).toBe(413);
    const array = jsonRequest("/api/tasks", "POST", ["x"]);
    expect((await createTask(array, NO_PARAMS)).status).toBe(400);
    expect(backend.requests).toHaveLength(before);
  });
});

describe("backend failures", () => {
  it("turns a refused connection into 503 with the message people see", async () => {
    vi.stubEnv("BACKEND_URL", await closedPortUrl());
    const response = await chat(jsonRequest("/api/chat", "POST", { message: "hi" }), NO_PARAMS);
    expect(response.status).toBe(503);
    await expect(response.json()).resolves.toEqual({ detail: SERVICE_UNAVAILABLE });
  });

  it("turns a non-JSON gateway error into 503", async () => {
    backend.answerWith({ status: 502, body: "<html>Bad Gateway</html>", contentType: "text/html" });
    const response = await listTasks(browserRequest("/api/tasks"), NO_PARAMS);
    expect(response.status).toBe(503);
    await expect(response.json()).resolves.toEqual({ detail: SERVICE_UNAVAILABLE });
  });

  it("relays the backend's own 503 answer", async () => {
    backend.answerWith({ status: 503, body: { detail: "mcp-server unavailable" } });
    const response = await listTasks(browserRequest("/api/tasks"), NO_PARAMS);
    expect(response.status).toBe(503);
  });

  it("sends a GET once more when its connection was reset, and answers from the second try", async () => {
    backend.dropConnections(1);
    const before = backend.requests.length;
    const response = await listTasks(browserRequest("/api/tasks"), NO_PARAMS);
    expect(response.status).toBe(200);
    expect(backend.requests.slice(before).map((request) => request.method)).toEqual(["GET", "GET"]);
  });

  it("retries a GET only once", async () => {
    backend.dropConnections(2);
    const before = backend.requests.length;
    const response = await listTasks(browserRequest("/api/tasks"), NO_PARAMS);
    expect(response.status).toBe(503);
    expect(backend.requests.length - before).toBe(2);
  });

  it(
    "sends a GET once more when the first try got no answer in its share of the time, and answers from the second",
    async () => {
      backend.holdRequests(1);
      const before = backend.requests.length;
      const started = performance.now();
      const response = await listTasks(browserRequest("/api/tasks"), NO_PARAMS);
      expect(response.status).toBe(200);
      expect(backend.requests.slice(before).map((request) => request.method)).toEqual(["GET", "GET"]);
      // Well before the whole budget (DEFAULT_TIMEOUT_MS) runs out.
      expect(performance.now() - started).toBeLessThan(GET_ATTEMPT_TIMEOUT_MS + 2_000);
    },
    GET_ATTEMPT_TIMEOUT_MS + 5_000,
  );

  it("never sends a write again after its connection was reset", async () => {
    backend.dropConnections(1);
    const before = backend.requests.length;
    const response = await createTask(jsonRequest("/api/tasks", "POST", { title: "Buy milk" }), NO_PARAMS);
    expect(response.status).toBe(503);
    await expect(response.json()).resolves.toEqual({ detail: SERVICE_UNAVAILABLE });
    expect(backend.requests.slice(before).map((request) => request.method)).toEqual(["POST"]);
  });

  it("ends the session when the backend rejects the token", async () => {
    backend.answerWith({ status: 401, body: { detail: "Token expired" } });
    const response = await listTasks(browserRequest("/api/tasks"), NO_PARAMS);
    expect(response.status).toBe(401);
    expect(response.headers.get("set-cookie")).toMatch(new RegExp(`${SESSION_COOKIE}=;.*Max-Age=0`, "i"));
  });
});

describe("signing in and out", () => {
  it("keeps the token in an httpOnly cookie and gives the browser only the user", async () => {
    const user = { id: USER, email: "ada@example.com", name: "Ada" };
    backend.answerWith({ status: 200, body: { token: TOKEN, user } });
    const response = await login(
      new NextRequest("http://localhost:3000/api/auth/login", {
        method: "POST",
        body: JSON.stringify({ email: "ada@example.com", password: "correct horse" }),
        headers: { "content-type": "application/json" },
      }),
      NO_PARAMS,
    );
    expect(response.status).toBe(200);
    await expect(response.json()).resolves.toEqual({ user });
    expect(response.headers.get("set-cookie")).toMatch(new RegExp(`${SESSION_COOKIE}=${TOKEN};.*HttpOnly`, "i"));
    expect(backend.lastRequest()).toMatchObject({ method: "POST", url: "/api/auth/login" });
    expect(backend.lastRequest().headers.authorization).toBeUndefined();
  });

  it("relays bad credentials without setting a cookie", async () => {
    backend.answerWith({ status: 401, body: { detail: "Invalid email or password" } });
    const response = await login(
      new NextRequest("http://localhost:3000/api/auth/login", {
        method: "POST",
        body: JSON.stringify({ email: "ada@example.com", password: "wrong" }),
        headers: { "content-type": "application/json" },
      }),
      NO_PARAMS,
    );
    expect(response.status).toBe(401);
    expect(response.headers.get("set-cookie")).toBeNull();
  });

  it("signs out by clearing the cookie", async () => {
    const response = await logout(browserRequest("/api/auth/logout", { method: "POST" }), NO_PARAMS);
    expect(response.status).toBe(204);
    expect(response.headers.get("set-cookie")).toMatch(/Max-Age=0/i);
  });
});

describe("operations endpoints", () => {
  it("answers the health probe without a backend", async () => {
    vi.stubEnv("BACKEND_URL", await closedPortUrl());
    const response = healthz();
    expect(response.status).toBe(200);
    await expect(response.json()).resolves.toEqual({ status: "ok" });
  });

  it("exposes request counts in Prometheus text format", async () => {
    await listTasks(browserRequest("/api/tasks"), NO_PARAMS);
    const response = await metrics();
    expect(response.headers.get("content-type")).toMatch(/^text\/plain/);
    const text = await response.text();
    expect(text).toMatch(/frontend_api_requests_total\{route="\/api\/tasks",method="GET",status="200"\} \d+/);
    expect(text).toContain("process_resident_memory_bytes");
  });
});
