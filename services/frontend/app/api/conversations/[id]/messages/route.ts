import { bffRoute, proxyAsUser, userPath } from "@/lib/server/bff";
import { jsonError, parseId } from "@/lib/server/http";

export const GET = bffRoute<{ id: string }>("/api/conversations/[id]/messages", ({ request, requestId, params }) => {
  const id = parseId(params.id);
  if (id === null) return Promise.resolve(jsonError(404, "Conversation not found."));
  return proxyAsUser(request, requestId, {
    method: "GET",
    backendPath: (s) => userPath(s, `/conversations/${id}/messages`),
  });
});
