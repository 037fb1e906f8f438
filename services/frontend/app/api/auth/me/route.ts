import { bffRoute, proxyAsUser } from "@/lib/server/bff";

export const GET = bffRoute("/api/auth/me", ({ request, requestId }) =>
  proxyAsUser(request, requestId, { method: "GET", backendPath: () => "/api/auth/me" }),
);
