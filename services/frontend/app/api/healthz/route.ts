export const dynamic = "force-dynamic";

/** Liveness/readiness probe: answers without calling the backend. */
export function GET(): Response {
  return Response.json({ status: "ok" }, { headers: { "cache-control": "no-store" } });
}
