import { bffRoute, proxyAsUser, userPath } from "@/lib/server/bff";
import { jsonError, parseId } from "@/lib/server/http";

type Params = { id: string };
const ROUTE = "/api/tasks/[id]";
const TASK_NOT_FOUND = "Task not found.";

export const GET = bffRoute<Params>(ROUTE, ({ request, requestId, params }) => {
  const id = parseId(params.id);
  if (id === null) return Promise.resolve(jsonError(404, TASK_NOT_FOUND));
  return proxyAsUser(request, requestId, { method: "GET", backendPath: (s) => userPath(s, `/tasks/${id}`) });
});

export const PUT = bffRoute<Params>(ROUTE, ({ request, requestId, params }) => {
  const id = parseId(params.id);
  if (id === null) return Promise.resolve(jsonError(404, TASK_NOT_FOUND));
  return proxyAsUser(request, requestId, {
    method: "PUT",
    withBody: true,
    backendPath: (s) => userPath(s, `/tasks/${id}`),
  });
});

export const DELETE = bffRoute<Params>(ROUTE, ({ request, requestId, params }) => {
  const id = parseId(params.id);
  if (id === null) return Promise.resolve(jsonError(404, TASK_NOT_FOUND));
  return proxyAsUser(request, requestId, { method: "DELETE", backendPath: (s) => userPath(s, `/tasks/${id}`) });
});
