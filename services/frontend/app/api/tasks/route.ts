import { bffRoute, proxyAsUser, userPath } from "@/lib/server/bff";
import { jsonError } from "@/lib/server/http";
import { TASK_FILTERS, type TaskFilter } from "@/lib/types";

function isTaskFilter(value: string): value is TaskFilter {
  return (TASK_FILTERS as readonly string[]).includes(value);
}

export const GET = bffRoute("/api/tasks", async ({ request, requestId }) => {
  const status = request.nextUrl.searchParams.get("status") ?? "all";
  if (!isTaskFilter(status)) return jsonError(422, "status must be one of: all, pending, completed.");
  return proxyAsUser(request, requestId, {
    method: "GET",
    backendPath: (session) => userPath(session, `/tasks?status=${status}`),
  });
});

export const POST = bffRoute("/api/tasks", ({ request, requestId }) =>
  proxyAsUser(request, requestId, {
    method: "POST",
    withBody: true,
    backendPath: (session) => userPath(session, "/tasks"),
  }),
);
