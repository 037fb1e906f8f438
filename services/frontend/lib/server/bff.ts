import { NextResponse, type NextRequest } from "next/server";

import { NOT_SIGNED_IN, SERVICE_UNAVAILABLE } from "@/lib/messages";

import { BackendUnavailableError, callBackend, type BackendCall } from "./backend";
import { jsonError, readJsonObjectBody } from "./http";
import { logEvent } from "./log";
import { frontendMetrics } from "./metrics";
import { REQUEST_ID_HEADER, requestIdFrom } from "./request-id";
import { SESSION_COOKIE, clearSessionCookie, sessionFromRequest, type Session } from "./session";

export interface HandlerInput<Params> {
  request: NextRequest;
  params: Params;
  requestId: string;
}

type RouteContext<Params> = { params: Promise<Params> };

/**
 * Wraps a route handler with what every API route needs: a request id (forwarded, generated when missing,
 * returned on the response), 503 when the backend is unreachable, one log line and metrics per request.
 */
export function bffRoute<Params = Record<string, never>>(
  route: string,
  handler: (input: HandlerInput<Params>) => Promise<NextResponse>,
): (request: NextRequest, context: RouteContext<Params>) => Promise<NextResponse> {
  return async (request, context) => {
    const started = performance.now();
    const requestId = requestIdFrom(request.headers);
    let response: NextResponse;
    try {
      response = await handler({ request, params: await context.params, requestId });
    } catch (error) {
      if (error instanceof BackendUnavailableError) {
        logEvent("warning", "backend unavailable", { request_id: requestId, route, error: error.message });
        response = jsonError(503, SERVICE_UNAVAILABLE);
      } else {
        logEvent("error", "unhandled error in route handler", {
          request_id: requestId,
          route,
          error: error instanceof Error ? error.stack : String(error),
        });
        response = jsonError(500, "Something went wrong on our side. Please try again.");
      }
    }
    response.headers.set(REQUEST_ID_HEADER, requestId);
    response.headers.set("cache-control", "no-store");
    const seconds = (performance.now() - started) / 1000;
    const metrics = frontendMetrics();
    metrics.requests.inc({ route, method: request.method, status: String(response.status) });
    metrics.duration.observe({ route, method: request.method }, seconds);
    logEvent("info", "request", {
      request_id: requestId,
      method: request.method,
      route,
      status: response.status,
      duration_ms: Math.round(seconds * 1000),
    });
    return response;
  };
}

/** Passes the backend's answer to the browser; an upstream failure that is not JSON becomes our 503. */
export async function relay(backendResponse: Response): Promise<NextResponse> {
  const contentType = backendResponse.headers.get("content-type") ?? "";
  const isJson = contentType.includes("json");
  if (backendResponse.status >= 502 && !isJson) {
    return jsonError(503, SERVICE_UNAVAILABLE);
  }
  if ([204, 205, 304].includes(backendResponse.status)) {
    return new NextResponse(null, { status: backendResponse.status });
  }
  let body: ArrayBuffer;
  try {
    body = await backendResponse.arrayBuffer();
  } catch (error) {
    throw new BackendUnavailableError(error);
  }
  return new NextResponse(body, {
    status: backendResponse.status,
    headers: { "content-type": contentType || "application/json" },
  });
}

export interface ProxySpec {
  method: BackendCall["method"];
  backendPath: (session: Session) => string;
  withBody?: boolean;
  timeoutMs?: number;
}

/** Forwards a signed-in user's request to the backend with their token; a rejected token ends the session. */
export async function proxyAsUser(request: NextRequest, requestId: string, spec: ProxySpec): Promise<NextResponse> {
  const session = sessionFromRequest(request);
  if (session === null) {
    const response = jsonError(401, NOT_SIGNED_IN);
    if (request.cookies.has(SESSION_COOKIE)) clearSessionCookie(response, request);
    return response;
  }
  let body: string | undefined;
  if (spec.withBody) {
    const read = await readJsonObjectBody(request);
    if (!read.ok) return read.response;
    body = read.text;
  }
  const backendResponse = await callBackend({
    method: spec.method,
    path: spec.backendPath(session),
    requestId,
    token: session.token,
    body,
    timeoutMs: spec.timeoutMs,
  });
  const response = await relay(backendResponse);
  if (backendResponse.status === 401) clearSessionCookie(response, request);
  return response;
}

export function userPath(session: Session, rest: string): string {
  return `/api/${encodeURIComponent(session.userId)}${rest}`;
}
