import { redirect } from "next/navigation";

import { TaskWorkspace } from "@/components/TaskWorkspace";
import { currentSession } from "@/lib/server/page-session";

export const metadata = { title: "Your tasks — Todo" };

export default async function TasksPage() {
  const { session, expired } = await currentSession();
  if (!session) redirect(expired ? "/signin?reason=expired" : "/signin");
  return <TaskWorkspace />;
}
