import type { ReactNode } from "react";

import { Logo } from "./Logo";

export function AuthShell({ children }: { children: ReactNode }) {
  return (
    <main className="flex min-h-dvh flex-col items-center justify-center bg-gradient-to-b from-indigo-50 to-slate-50 px-4 py-10">
      <Logo className="mb-6 text-xl" />
      <div className="card w-full max-w-sm p-6 sm:p-8">{children}</div>
      <p className="mt-6 max-w-sm text-center text-sm text-slate-500">
        Keep your task list, and manage it by talking to an assistant.
      </p>
    </main>
  );
}
