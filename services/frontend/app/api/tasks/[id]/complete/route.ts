import { bffRoute, proxyAsUser, userPath } from "@/lib/server/bff";
import { jsonError, parseId } from "@/lib/server/http";

export const PATCH = bffRoute<{ id: string }>("/api/tasks/[id]/complete", ({ request, requestId, params }) => {
  const id = parseId(params.id);
  if (id === null) return Promise.resolve(jsonError(404, "Task not found."));
  return proxyAsUser(request, requestId, {
    method: "PATCH",
    backendPath: (s) => userPath(s, `/tasks/${id}/complete`),
  });
});
