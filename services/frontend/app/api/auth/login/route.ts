import { startSession } from "@/lib/server/auth";
import { bffRoute } from "@/lib/server/bff";

export const POST = bffRoute("/api/auth/login", ({ request, requestId }) =>
  startSession(request, requestId, "/api/auth/login"),
);
