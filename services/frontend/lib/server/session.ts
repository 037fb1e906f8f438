import type { NextRequest, NextResponse } from "next/server";

export const SESSION_COOKIE = "todo_session";
const FALLBACK_MAX_AGE_SECONDS = 24 * 60 * 60;

export interface Session {
  token: string;
  userId: string;
  /** Expiry in seconds since the epoch, when the token carries one. */
  expiresAt: number | null;
}

interface JwtClaims {
  sub?: unknown;
  exp?: unknown;
}

/**
 * Reads the claims the web app needs (user id, expiry) from the backend's JWT. The signature is not checked
 * here: the backend verifies every token it receives, and a forged `sub` only earns a 401/403 from it.
 */
export function sessionFromToken(token: string | undefined, nowSeconds = Date.now() / 1000): Session | null {
  if (!token) return null;
  const parts = token.split(".");
  if (parts.length !== 3 || !parts[1]) return null;
  let claims: JwtClaims;
  try {
    claims = JSON.parse(Buffer.from(parts[1], "base64url").toString("utf8")) as JwtClaims;
  } catch {
    return null;
  }
  if (typeof claims !== "object" || claims === null) return null;
  if (typeof claims.sub !== "string" || claims.sub.length === 0) return null;
  const expiresAt = typeof claims.exp === "number" ? claims.exp : null;
  if (expiresAt !== null && expiresAt <= nowSeconds) return null;
  return { token, userId: claims.sub, expiresAt };
}

export function sessionFromRequest(request: NextRequest): Session | null {
  return sessionFromToken(request.cookies.get(SESSION_COOKIE)?.value);
}

/** True when the browser reached us over HTTPS, directly or through a TLS-terminating proxy. */
export function cameOverHttps(request: NextRequest): boolean {
  const forwarded = request.headers.get("x-forwarded-proto")?.split(",")[0]?.trim().toLowerCase();
  if (forwarded) return forwarded === "https";
  return request.nextUrl.protocol === "https:";
}

export function setSessionCookie(response: NextResponse, request: NextRequest, session: Session): void {
  const maxAge =
    session.expiresAt === null
      ? FALLBACK_MAX_AGE_SECONDS
      : Math.max(0, Math.floor(session.expiresAt - Date.now() / 1000));
  response.cookies.set({
    name: SESSION_COOKIE,
    value: session.token,
    httpOnly: true,
    sameSite: "lax",
    secure: cameOverHttps(request),
    path: "/",
    maxAge,
  });
}

export function clearSessionCookie(response: NextResponse, request: NextRequest): void {
  response.cookies.set({
    name: SESSION_COOKIE,
    value: "",
    httpOnly: true,
    sameSite: "lax",
    secure: cameOverHttps(request),
    path: "/",
    maxAge: 0,
  });
}
