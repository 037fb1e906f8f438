import { cookies } from "next/headers";

import { SESSION_COOKIE, sessionFromToken, type Session } from "./session";

/**
 * The signed-in user's session for server components (reading cookies makes the page render per request).
 * `expired` tells a cookie that no longer holds a usable token apart from never having signed in.
 */
export async function currentSession(): Promise<{ session: Session | null; expired: boolean }> {
  const token = (await cookies()).get(SESSION_COOKIE)?.value;
  const session = sessionFromToken(token);
  return { session, expired: session === null && Boolean(token) };
}
