"use client";

import { useEffect, useRef, useState } from "react";

import { useErrorMessage } from "@/hooks/useErrorMessage";
import { api } from "@/lib/api-client";
import type { Task, TaskInput } from "@/lib/types";

import { LocalTime } from "../LocalTime";

import { TaskForm } from "./TaskForm";

type Mode = "view" | "edit" | "confirm-delete";

export function TaskItem({ task, onChanged }: { task: Task; onChanged: () => void }) {
  const toMessage = useErrorMessage();
  const [mode, setMode] = useState<Mode>("view");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  // Shown at once while the toggle is on its way, until the refreshed task arrives. The item stays
  // mounted across refreshes (keyed by id), so keyboard focus stays where it was.
  const [pendingCompleted, setPendingCompleted] = useState<boolean | null>(null);
  const [seenVersion, setSeenVersion] = useState(task.updated_at);
  if (seenVersion !== task.updated_at) {
    setSeenVersion(task.updated_at);
    setPendingCompleted(null);
  }
  const completed = pendingCompleted ?? task.completed;
  const cancelDeleteRef = useRef<HTMLButtonElement>(null);
  const editButtonRef = useRef<HTMLButtonElement>(null);
  const deleteButtonRef = useRef<HTMLButtonElement>(null);
  const previousMode = useRef<Mode>(mode);

  useEffect(() => {
    if (mode === "confirm-delete") cancelDeleteRef.current?.focus();
    // Back from editing or confirming, the focus returns to the button that opened it.
    if (mode === "view" && previousMode.current === "edit") editButtonRef.current?.focus();
    if (mode === "view" && previousMode.current === "confirm-delete") deleteButtonRef.current?.focus();
    previousMode.current = mode;
  }, [mode]);

  async function run(action: () => Promise<unknown>) {
    setBusy(true);
    setError(null);
    try {
      await action();
      setMode("view");
      onChanged();
    } catch (failure) {
      setPendingCompleted(null);
      setError(toMessage(failure));
    } finally {
      setBusy(false);
    }
  }

  function toggle() {
    if (busy) return;
    setPendingCompleted(!completed);
    void run(() => api.toggleTask(task.id));
  }

  async function save(input: TaskInput) {
    await api.updateTask(task.id, input);
    setMode("view");
    onChanged();
  }

  if (mode === "edit") {
    return (
      <li className="card p-4" aria-label={`Editing ${task.title}`}>
        <TaskForm
          idPrefix={`edit-${task.id}`}
          initial={{ title: task.title, description: task.description ?? "" }}
          submitLabel="Save"
          busyLabel="Saving…"
          onSubmit={save}
          onCancel={() => setMode("view")}
          focusTitle
        />
      </li>
    );
  }

  const checkboxId = `task-${task.id}-done`;
  return (
    <li className="card group p-4" data-testid="task-item" data-completed={completed}>
      <div className="flex items-start gap-3">
        <input
          id={checkboxId}
          type="checkbox"
          className="mt-0.5 size-5 shrink-0 cursor-pointer rounded border-slate-300 accent-indigo-600"
          checked={completed}
          // Not disabled while saving: a disabled control drops the keyboard focus.
          aria-disabled={busy}
          onChange={toggle}
        />
        <div className="min-w-0 flex-1">
          <label
            htmlFor={checkboxId}
            className={`block cursor-pointer break-words font-medium ${completed ? "text-slate-500 line-through" : "text-slate-900"}`}
          >
            {task.title}
            <span className="sr-only">{completed ? " (completed)" : " (pending)"}</span>
          </label>
          {task.description ? (
            <p className="mt-1 whitespace-pre-line break-words text-sm text-slate-600">{task.description}</p>
          ) : null}
          <p className="mt-2 text-xs text-slate-500">
            Added <LocalTime iso={task.created_at} />
          </p>
        </div>
        {mode === "view" ? (
          <div className="flex shrink-0 gap-1">
            <button
              ref={editButtonRef}
              type="button"
              className="btn-ghost px-2.5"
              aria-label={`Edit ${task.title}`}
              onClick={() => setMode("edit")}
              disabled={busy}
            >
              Edit
            </button>
            <button
              ref={deleteButtonRef}
              type="button"
              className="btn-ghost px-2.5 text-red-700 hover:bg-red-50 hover:text-red-800"
              aria-label={`Delete ${task.title}`}
              onClick={() => setMode("confirm-delete")}
              disabled={busy}
            >
              Delete
            </button>
          </div>
        ) : null}
      </div>
      {mode === "confirm-delete" ? (
        <div
          role="alertdialog"
          aria-labelledby={`task-${task.id}-confirm`}
          className="mt-3 flex flex-wrap items-center justify-between gap-2 rounded-lg bg-red-50 px-3 py-2"
        >
          <p id={`task-${task.id}-confirm`} className="text-sm text-red-900">
            Delete this task? This cannot be undone.
          </p>
          <div className="flex gap-2">
            <button ref={cancelDeleteRef} type="button" className="btn-secondary" onClick={() => setMode("view")} disabled={busy}>
              Keep it
            </button>
            <button type="button" className="btn-danger" onClick={() => run(() => api.deleteTask(task.id))} disabled={busy}>
              {busy ? "Deleting…" : "Delete task"}
            </button>
          </div>
        </div>
      ) : null}
      {error ? (
        <p role="alert" className="alert-error mt-3">
          {error}
        </p>
      ) : null}
    </li>
  );
}
