"use client";

import { useState } from "react";

import { useTasks } from "@/hooks/useTasks";
import { api } from "@/lib/api-client";
import { TASK_FILTERS, type Task, type TaskFilter, type TaskInput } from "@/lib/types";

import { TaskForm } from "./TaskForm";
import { TaskItem } from "./TaskItem";

const FILTER_LABELS: Record<TaskFilter, string> = { all: "All", pending: "Pending", completed: "Completed" };
const EMPTY_TEXT: Record<TaskFilter, string> = {
  all: "No tasks yet. Add one above, or ask the assistant.",
  pending: "Nothing pending. Nice work!",
  completed: "No completed tasks yet.",
};

interface TaskPanelProps {
  revision: number;
  onChanged: () => void;
  /** All tasks as the server rendered them, or null when it could not fetch them. */
  initialTasks: Task[] | null;
}

export function TaskPanel({ revision, onChanged, initialTasks }: TaskPanelProps) {
  const [filter, setFilter] = useState<TaskFilter>("all");
  const { tasks, loading, error, reload } = useTasks(filter, revision, initialTasks);

  async function create(input: TaskInput) {
    await api.createTask(input);
    onChanged();
  }

  return (
    <div className="space-y-4">
      <section aria-labelledby="new-task-heading" className="card p-4 sm:p-5">
        <h2 id="new-task-heading" className="mb-3 text-base font-semibold text-slate-900">
          Add a task
        </h2>
        <TaskForm idPrefix="new-task" submitLabel="Add task" busyLabel="Adding…" onSubmit={create} clearOnSuccess />
      </section>

      <section aria-labelledby="tasks-heading" className="space-y-3">
        <div className="flex flex-wrap items-center justify-between gap-2">
          <h2 id="tasks-heading" className="text-lg font-semibold text-slate-900">
            Your tasks
          </h2>
          <div role="group" aria-label="Show tasks" className="inline-flex rounded-lg border border-slate-200 bg-white p-0.5 shadow-sm">
            {TASK_FILTERS.map((value) => (
              <button
                key={value}
                type="button"
                aria-pressed={filter === value}
                onClick={() => setFilter(value)}
                className={`rounded-md px-3 py-1.5 text-sm font-medium transition-colors ${
                  filter === value ? "bg-indigo-600 text-white" : "text-slate-600 hover:bg-slate-100"
                }`}
              >
                {FILTER_LABELS[value]}
              </button>
            ))}
          </div>
        </div>

        {error ? (
          <div role="alert" className="alert-error flex flex-wrap items-center justify-between gap-2">
            <span>Could not load your tasks. {error}</span>
            <button type="button" className="btn-secondary py-1" onClick={reload}>
              Try again
            </button>
          </div>
        ) : null}

        <div aria-live="polite" aria-busy={loading}>
          {tasks === null ? (
            loading ? (
              <p className="py-8 text-center text-sm text-slate-500">Loading your tasks…</p>
            ) : null
          ) : tasks.length === 0 ? (
            <p className="rounded-2xl border border-dashed border-slate-300 px-4 py-10 text-center text-sm text-slate-500">
              {EMPTY_TEXT[filter]}
            </p>
          ) : (
            <ul aria-label={`${FILTER_LABELS[filter]} tasks`} className={`space-y-2 ${loading ? "opacity-70" : ""}`}>
              {tasks.map((task) => (
                <TaskItem key={task.id} task={task} onChanged={onChanged} />
              ))}
            </ul>
          )}
        </div>
      </section>
    </div>
  );
}
