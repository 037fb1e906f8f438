import { redirect } from "next/navigation";

import { AuthForm } from "@/components/AuthForm";
import { AuthShell } from "@/components/AuthShell";
import { SESSION_ENDED } from "@/lib/messages";
import { currentSession } from "@/lib/server/page-session";

export const metadata = { title: "Sign in — Todo" };

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ reason?: string }> }) {
  const { session } = await currentSession();
  if (session) redirect("/tasks");
  const { reason } = await searchParams;
  return (
    <AuthShell>
      <AuthForm mode="signin" notice={reason === "expired" ? SESSION_ENDED : undefined} />
    </AuthShell>
  );
}
