import { NextResponse, type NextRequest } from "next/server";

import type { AuthResult } from "@/lib/types";

import { callBackend } from "./backend";
import { relay } from "./bff";
import { jsonError, readJsonObjectBody } from "./http";
import { logEvent } from "./log";
import { sessionFromToken, setSessionCookie } from "./session";

function isAuthResult(value: unknown): value is AuthResult {
  if (typeof value !== "object" || value === null) return false;
  const candidate = value as Partial<AuthResult>;
  return typeof candidate.token === "string" && typeof candidate.user?.id === "string";
}

/**
 * Sign-up and sign-in: forward the credentials, keep the returned JWT in an httpOnly cookie and give the
 * browser only the user (the token never reaches page scripts).
 */
export async function startSession(
  request: NextRequest,
  requestId: string,
  backendPath: "/api/auth/signup" | "/api/auth/login",
): Promise<NextResponse> {
  const read = await readJsonObjectBody(request);
  if (!read.ok) return read.response;
  const backendResponse = await callBackend({ method: "POST", path: backendPath, requestId, body: read.text });
  if (!backendResponse.ok) return relay(backendResponse);

  const payload: unknown = await backendResponse.json().catch(() => null);
  const session = isAuthResult(payload) ? sessionFromToken(payload.token) : null;
  if (!isAuthResult(payload) || session === null) {
    logEvent("error", "backend returned an unusable auth response", { request_id: requestId, path: backendPath });
    return jsonError(502, "Signing in failed on our side. Please try again.");
  }
  const response = NextResponse.json({ user: payload.user }, { status: backendResponse.status });
  setSessionCookie(response, request, session);
  return response;
}
