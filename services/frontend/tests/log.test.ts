// @vitest-environment node
import { beforeEach, describe, expect, it, vi } from "vitest";

import { logEvent } from "@/lib/server/log";

let written: string[];

beforeEach(() => {
  written = [];
  vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
});

describe("logEvent", () => {
  it("writes one JSON object per line with the request id", () => {
    logEvent("info", "request", { request_id: "abc", status: 200 });
    expect(written).toHaveLength(1);
    expect(written[0]!.endsWith("\n")).toBe(true);
    expect(JSON.parse(written[0]!)).toMatchObject({ level: "info", message: "request", request_id: "abc", status: 200 });
  });

  it("honours LOG_LEVEL", () => {
    vi.stubEnv("LOG_LEVEL", "WARNING");
    logEvent("info", "hidden");
    logEvent("warning", "shown");
    expect(written.map((line) => JSON.parse(line).message)).toEqual(["shown"]);
  });

  it("prints text lines when LOG_FORMAT=text", () => {
    vi.stubEnv("LOG_FORMAT", "text");
    logEvent("error", "backend unavailable", { request_id: "abc" });
    expect(written[0]).toMatch(/^\S+ ERROR todo_frontend backend unavailable request_id=abc\n$/);
  });
});
