import { Counter, Histogram, Registry, collectDefaultMetrics } from "prom-client";

export interface FrontendMetrics {
  registry: Registry;
  requests: Counter<"route" | "method" | "status">;
  duration: Histogram<"route" | "method">;
}

function createMetrics(): FrontendMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    requests: new Counter({
      name: "frontend_api_requests_total",
      help: "Requests answered by the web app's API route handlers.",
      labelNames: ["route", "method", "status"],
      registers: [registry],
    }),
    duration: new Histogram({
      name: "frontend_api_request_duration_seconds",
      help: "Time the web app's API route handlers took, backend call included.",
      labelNames: ["route", "method"],
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
  };
}

// Each route handler is bundled on its own; keep one registry per process on globalThis so every route
// counts into the same metrics.
const GLOBAL_KEY = Symbol.for("todo-frontend.metrics");
type GlobalWithMetrics = typeof globalThis & { [GLOBAL_KEY]?: FrontendMetrics };

export function frontendMetrics(): FrontendMetrics {
  const holder = globalThis as GlobalWithMetrics;
  holder[GLOBAL_KEY] ??= createMetrics();
  return holder[GLOBAL_KEY];
}
