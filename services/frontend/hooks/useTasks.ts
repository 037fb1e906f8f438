"use client";

import { useCallback, useEffect, useState } from "react";

import { api } from "@/lib/api-client";
import type { Task, TaskFilter } from "@/lib/types";

import { useErrorMessage } from "./useErrorMessage";

interface LoadResult {
  key: string;
  tasks: Task[] | null;
  error: string | null;
}

export interface TasksView {
  /** The latest list fetched successfully (kept on screen while refreshing or after a failed refresh). */
  tasks: Task[] | null;
  loading: boolean;
  error: string | null;
  reload: () => void;
}

/** The task list for a filter; fetched again when the filter or `revision` changes or on `reload()`. */
export function useTasks(filter: TaskFilter, revision: number): TasksView {
  const toMessage = useErrorMessage();
  const [attempt, setAttempt] = useState(0);
  const [result, setResult] = useState<LoadResult | null>(null);
  const [lastTasks, setLastTasks] = useState<{ filter: TaskFilter; tasks: Task[] } | null>(null);
  const key = `${filter}|${revision}|${attempt}`;

  useEffect(() => {
    let current = true;
    api.listTasks(filter).then(
      (tasks) => {
        if (!current) return;
        setLastTasks({ filter, tasks });
        setResult({ key, tasks, error: null });
      },
      (error: unknown) => {
        if (current) setResult({ key, tasks: null, error: toMessage(error) });
      },
    );
    return () => {
      current = false;
    };
  }, [filter, key, toMessage]);

  const reload = useCallback(() => setAttempt((value) => value + 1), []);
  const settled = result?.key === key;
  return {
    tasks: lastTasks?.filter === filter ? lastTasks.tasks : null,
    loading: !settled,
    error: settled ? result.error : null,
    reload,
  };
}
