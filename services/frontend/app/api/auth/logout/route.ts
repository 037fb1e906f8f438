import { NextResponse } from "next/server";

import { bffRoute } from "@/lib/server/bff";
import { clearSessionCookie } from "@/lib/server/session";

/** Tokens are stateless JWTs: signing out means forgetting the cookie. */
export const POST = bffRoute("/api/auth/logout", async ({ request }) => {
  const response = new NextResponse(null, { status: 204 });
  clearSessionCookie(response, request);
  return response;
});
