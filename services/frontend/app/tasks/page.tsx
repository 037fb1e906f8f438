import { headers } from "next/headers";
import { redirect } from "next/navigation";

import { TaskWorkspace } from "@/components/TaskWorkspace";
import { loadTasksPageData } from "@/lib/server/initial-data";
import { currentSession } from "@/lib/server/page-session";
import { requestIdFrom } from "@/lib/server/request-id";

export const metadata = { title: "Your tasks — Todo" };

export default async function TasksPage() {
  const { session, expired } = await currentSession();
  if (!session) redirect(expired ? "/signin?reason=expired" : "/signin");
  const { user, tasks } = await loadTasksPageData(session, requestIdFrom(await headers()));
  return <TaskWorkspace initialUser={user} initialTasks={tasks} />;
}
