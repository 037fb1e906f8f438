type Level = "info" | "warning" | "error";

/** One JSON object per line on stdout, like the Python services (docs/architecture.md, "Health and operations"). */
export function logEvent(level: Level, message: string, fields: Record<string, unknown> = {}): void {
  const line = JSON.stringify({
    timestamp: new Date().toISOString(),
    level,
    logger: "todo_frontend",
    message,
    ...fields,
  });
  process.stdout.write(`${line}\n`);
}
