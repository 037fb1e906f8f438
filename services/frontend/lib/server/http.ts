import { NextResponse, type NextRequest } from "next/server";

export const MAX_BODY_BYTES = 64 * 1024;

export function jsonError(status: number, detail: string): NextResponse {
  return NextResponse.json({ detail }, { status });
}

export type BodyResult = { ok: true; text: string } | { ok: false; response: NextResponse };

/**
 * The request body as text when it is a JSON object of at most 64 KiB (the backend's own limit); requiring
 * the JSON content type also keeps plain cross-site form posts out.
 */
export async function readJsonObjectBody(request: NextRequest): Promise<BodyResult> {
  const contentType = request.headers.get("content-type") ?? "";
  if (!contentType.toLowerCase().startsWith("application/json")) {
    return { ok: false, response: jsonError(415, "Send a JSON body (Content-Type: application/json).") };
  }
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > MAX_BODY_BYTES) {
    return { ok: false, response: jsonError(413, "The request is too large.") };
  }
  const text = await request.text();
  if (Buffer.byteLength(text, "utf8") > MAX_BODY_BYTES) {
    return { ok: false, response: jsonError(413, "The request is too large.") };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { ok: false, response: jsonError(400, "The request body is not valid JSON.") };
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    return { ok: false, response: jsonError(400, "The request body must be a JSON object.") };
  }
  return { ok: true, text };
}

/** Task and conversation ids are PostgreSQL integers. */
const MAX_ID = 2_147_483_647;

/** Ids that can exist only; anything else is answered 404 without a backend call. */
export function parseId(raw: string): number | null {
  if (!/^[1-9][0-9]{0,9}$/.test(raw)) return null;
  const id = Number(raw);
  return id <= MAX_ID ? id : null;
}
