"use client";

import { useCallback, useEffect, useRef, useState } from "react";

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

const keyOf = (filter: TaskFilter, revision: number, attempt: number) => `${filter}|${revision}|${attempt}`;

/**
 * The task list for a filter; fetched again when the filter or `revision` changes or on `reload()`.
 * `initialTasks` is the unfiltered list the server rendered the page with; it is not fetched again.
 */
export function useTasks(filter: TaskFilter, revision: number, initialTasks: Task[] | null = null): TasksView {
  const toMessage = useErrorMessage();
  const [attempt, setAttempt] = useState(0);
  const initialKey = keyOf("all", 0, 0);
  const [result, setResult] = useState<LoadResult | null>(
    initialTasks ? { key: initialKey, tasks: initialTasks, error: null } : null,
  );
  const [lastTasks, setLastTasks] = useState<{ filter: TaskFilter; tasks: Task[] } | null>(
    initialTasks ? { filter: "all", tasks: initialTasks } : null,
  );
  const serverRenderedKey = useRef(initialTasks ? initialKey : null);
  const key = keyOf(filter, revision, attempt);

  useEffect(() => {
    if (serverRenderedKey.current === key) {
      serverRenderedKey.current = null;
      return;
    }
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
