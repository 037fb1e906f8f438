import { redirect } from "next/navigation";

import { AuthForm } from "@/components/AuthForm";
import { AuthShell } from "@/components/AuthShell";
import { currentSession } from "@/lib/server/page-session";

export const metadata = { title: "Create an account — Todo" };

export default async function SignUpPage() {
  const { session } = await currentSession();
  if (session) redirect("/tasks");
  return (
    <AuthShell>
      <AuthForm mode="signup" />
    </AuthShell>
  );
}
