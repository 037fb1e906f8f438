import { bffRoute, proxyAsUser, userPath } from "@/lib/server/bff";

export const GET = bffRoute("/api/conversations", ({ request, requestId }) =>
  proxyAsUser(request, requestId, { method: "GET", backendPath: (s) => userPath(s, "/conversations") }),
);
