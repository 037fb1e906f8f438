type Level = "debug" | "info" | "warning" | "error";

const RANK: Record<Level, number> = { debug: 10, info: 20, warning: 30, error: 40 };

/** LOG_LEVEL (default INFO) as in the Python services; an unknown value keeps the default. */
function threshold(): number {
  const configured = process.env.LOG_LEVEL?.trim().toLowerCase();
  if (configured === "warn") return RANK.warning;
  return configured && configured in RANK ? RANK[configured as Level] : RANK.info;
}

/**
 * One JSON object per line on stdout, like the Python services (docs/architecture.md, "Health and
 * operations"); LOG_FORMAT=text prints a line for humans instead.
 */
export function logEvent(level: Level, message: string, fields: Record<string, unknown> = {}): void {
  if (RANK[level] < threshold()) return;
  const timestamp = new Date().toISOString();
  if (process.env.LOG_FORMAT?.trim().toLowerCase() === "text") {
    const extras = Object.entries(fields).map(([key, value]) => `${key}=${typeof value === "string" ? value : JSON.stringify(value)}`);
    process.stdout.write(`${timestamp} ${level.toUpperCase()} todo_frontend ${message}${extras.length ? ` ${extras.join(" ")}` : ""}\n`);
    return;
  }
  process.stdout.write(`${JSON.stringify({ timestamp, level, logger: "todo_frontend", message, ...fields })}\n`);
}
