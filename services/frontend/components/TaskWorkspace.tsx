"use client";

import { useRouter } from "next/navigation";
import { useCallback, useEffect, useState } from "react";

import { useErrorMessage } from "@/hooks/useErrorMessage";
import { api } from "@/lib/api-client";
import type { Task, User } from "@/lib/types";

import { ChatPanel } from "./chat/ChatPanel";
import { Logo } from "./Logo";
import { TaskPanel } from "./tasks/TaskPanel";

type View = "tasks" | "chat";

interface TaskWorkspaceProps {
  /** What the server could fetch while rendering the page (null when it could not). */
  initialUser: User | null;
  initialTasks: Task[] | null;
}

export function TaskWorkspace({ initialUser, initialTasks }: TaskWorkspaceProps) {
  const router = useRouter();
  const toMessage = useErrorMessage();
  const [user, setUser] = useState<User | null>(initialUser);
  const [view, setView] = useState<View>("tasks");
  const [revision, setRevision] = useState(0);
  const [signingOut, setSigningOut] = useState(false);
  const [signOutError, setSignOutError] = useState<string | null>(null);
  const tasksChanged = useCallback(() => setRevision((value) => value + 1), []);

  useEffect(() => {
    if (initialUser) return;
    let current = true;
    // The name in the header is a nicety: a failure here is reported by the task list itself.
    api.me().then(
      (me) => current && setUser(me),
      (error: unknown) => current && toMessage(error),
    );
    return () => {
      current = false;
    };
  }, [initialUser, toMessage]);

  async function signOut() {
    setSigningOut(true);
    try {
      await api.signOut();
      router.replace("/signin");
      router.refresh();
    } catch (error) {
      setSignOutError(toMessage(error));
      setSigningOut(false);
    }
  }

  return (
    <div className="flex min-h-dvh flex-col">
      <header className="sticky top-0 z-10 border-b border-slate-200 bg-white/90 backdrop-blur">
        <div className="mx-auto flex max-w-6xl items-center justify-between gap-3 px-4 py-3">
          <Logo />
          <div className="flex min-w-0 items-center gap-3">
            {user ? (
              <span className="hidden truncate text-sm text-slate-600 sm:inline" data-testid="user-name">
                {user.name}
              </span>
            ) : null}
            <button type="button" className="btn-secondary py-1.5" onClick={signOut} disabled={signingOut}>
              {signingOut ? "Signing out…" : "Sign out"}
            </button>
          </div>
        </div>
        {signOutError ? (
          <p role="alert" className="alert-error mx-auto mb-2 max-w-6xl">
            {signOutError}
          </p>
        ) : null}
        <nav aria-label="Sections" className="mx-auto flex max-w-6xl gap-1 px-4 pb-2 lg:hidden">
          {(["tasks", "chat"] as const).map((value) => (
            <button
              key={value}
              type="button"
              aria-pressed={view === value}
              onClick={() => setView(value)}
              className={`flex-1 rounded-lg px-3 py-1.5 text-sm font-medium ${
                view === value ? "bg-indigo-600 text-white" : "bg-slate-100 text-slate-700"
              }`}
            >
              {value === "tasks" ? "Tasks" : "Assistant"}
            </button>
          ))}
        </nav>
      </header>

      <main className="mx-auto grid w-full max-w-6xl flex-1 gap-6 px-4 py-6 lg:grid-cols-[minmax(0,1fr)_24rem]">
        <h1 className="sr-only">Your to-do list</h1>
        <div className={view === "tasks" ? "" : "hidden lg:block"}>
          <TaskPanel revision={revision} onChanged={tasksChanged} initialTasks={initialTasks} />
        </div>
        <aside aria-labelledby="chat-heading" className={`lg:sticky lg:top-20 lg:self-start ${view === "chat" ? "" : "hidden lg:block"}`}>
          <ChatPanel onTasksChanged={tasksChanged} />
        </aside>
      </main>
    </div>
  );
}
