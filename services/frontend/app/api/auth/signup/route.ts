import { startSession } from "@/lib/server/auth";
import { bffRoute } from "@/lib/server/bff";

export const POST = bffRoute("/api/auth/signup", ({ request, requestId }) =>
  startSession(request, requestId, "/api/auth/signup"),
);
