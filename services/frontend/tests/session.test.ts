// @vitest-environment node
import { NextRequest, NextResponse } from "next/server";
import { describe, expect, it } from "vitest";

import {
  SESSION_COOKIE,
  cameOverHttps,
  clearSessionCookie,
  sessionFromToken,
  setSessionCookie,
} from "@/lib/server/session";

import { fakeJwt } from "./support/recording-backend";

const USER = "0b8e3f4a-1111-4222-8333-944455556666";

describe("sessionFromToken", () => {
  it("reads the user id and expiry from the token", () => {
    const token = fakeJwt({ sub: USER, exp: 2_000_000_000 });
    expect(sessionFromToken(token, 1_000)).toEqual({ token, userId: USER, expiresAt: 2_000_000_000 });
  });

  it("treats an expired token as no session", () => {
    expect(sessionFromToken(fakeJwt({ sub: USER, exp: 999 }), 1_000)).toBeNull();
  });

  it("rejects tokens that are missing, malformed or without a subject", () => {
    expect(sessionFromToken(undefined)).toBeNull();
    expect(sessionFromToken("not-a-jwt")).toBeNull();
    expect(sessionFromToken("a.%%%.c")).toBeNull();
    expect(sessionFromToken(fakeJwt({ exp: 2_000_000_000 }))).toBeNull();
    expect(sessionFromToken(fakeJwt({ sub: 42 }))).toBeNull();
  });
});

describe("session cookie", () => {
  const token = fakeJwt({ sub: USER, exp: Math.floor(Date.now() / 1000) + 3600 });

  function cookieSetBy(request: NextRequest): string {
    const response = NextResponse.json({});
    setSessionCookie(response, request, sessionFromToken(token)!);
    return response.headers.get("set-cookie") ?? "";
  }

  it("is httpOnly, SameSite=Lax, site-wide, and lives as long as the token", () => {
    const cookie = cookieSetBy(new NextRequest("http://localhost:3000/api/auth/login"));
    expect(cookie).toContain(`${SESSION_COOKIE}=${token}`);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).toMatch(/Path=\//);
    const maxAge = Number(/Max-Age=(\d+)/i.exec(cookie)?.[1]);
    expect(maxAge).toBeGreaterThan(3590);
    expect(maxAge).toBeLessThanOrEqual(3600);
    expect(cookie).not.toMatch(/Secure/i);
  });

  it("is Secure when the browser came over HTTPS through a proxy", () => {
    const request = new NextRequest("http://todo.internal/api/auth/login", {
      headers: { "x-forwarded-proto": "https" },
    });
    expect(cameOverHttps(request)).toBe(true);
    expect(cookieSetBy(request)).toMatch(/Secure/i);
  });

  it("is Secure on a direct HTTPS request and not when the proxy says http", () => {
    expect(cameOverHttps(new NextRequest("https://todo.example/"))).toBe(true);
    expect(cameOverHttps(new NextRequest("https://todo.example/", { headers: { "x-forwarded-proto": "http" } }))).toBe(
      false,
    );
  });

  it("is cleared on sign-out", () => {
    const response = new NextResponse(null, { status: 204 });
    clearSessionCookie(response, new NextRequest("http://localhost/api/auth/logout"));
    expect(response.headers.get("set-cookie")).toMatch(new RegExp(`${SESSION_COOKIE}=;.*Max-Age=0`, "i"));
  });
});
