import { bffRoute, proxyAsUser, userPath } from "@/lib/server/bff";

// A chat turn runs the agent loop (possibly a remote LLM and several tool calls).
const CHAT_TIMEOUT_MS = 120_000;

export const POST = bffRoute("/api/chat", ({ request, requestId }) =>
  proxyAsUser(request, requestId, {
    method: "POST",
    withBody: true,
    timeoutMs: CHAT_TIMEOUT_MS,
    backendPath: (session) => userPath(session, "/chat"),
  }),
);
