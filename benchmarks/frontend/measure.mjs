// @ts-check
/**
 * Web app figures, measured on the production build against the real stack on loopback:
 *   - client JavaScript the task page loads (raw and gzipped), target ≤ 200 KB gzipped;
 *   - time to first render of the task page (time to first byte, first and largest contentful paint);
 *   - resident memory of the standalone server when idle (after start, and after serving pages), target ≤ 120 MB.
 *
 *   (cd services/frontend && npm ci && npm run build)   # once
 *   node benchmarks/frontend/measure.mjs [--runs 10] [--node-options=--max-semi-space-size=2] [--node /path/to/node]
 *       [--malloc-arena-max 2]
 *
 * The figures depend on the machine's load: the load average is printed with them.
 */
import { execFileSync } from "node:child_process";
import { loadavg } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { gzipSync } from "node:zlib";

import {
  artifactsDir,
  launchChromium,
  residentMemory,
  startFrontend,
  startStack,
} from "../../services/frontend/e2e/support/harness.mjs";

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "10" },
    "node-options": { type: "string", default: "" },
    node: { type: "string", default: process.execPath },
    "malloc-arena-max": { type: "string", default: "" },
  },
});
const runs = Number(values.runs);
const KB = 1024;
const MB = 1024 * 1024;
const sleep = (/** @type {number} */ ms) => new Promise((resolve) => setTimeout(resolve, ms));
const median = (/** @type {number[]} */ list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)] ?? NaN;

const logDir = path.join(artifactsDir, "benchmark-logs", new Date().toISOString().replace(/[:.]/g, "-"));
const stack = await startStack({ logDir });
const frontend = await startFrontend({
  backendUrl: stack.urls.backend_url,
  logFile: path.join(logDir, "frontend.log"),
  nodeOptions: values["node-options"],
  nodeBinary: values.node,
  env: values["malloc-arena-max"] ? { MALLOC_ARENA_MAX: values["malloc-arena-max"] } : {},
});
const browser = await launchChromium();
try {
  await sleep(5000);
  const rssAfterStart = residentMemory(frontend.pid);

  // A user with 20 tasks, created through the web app's own API.
  const signup = await fetch(`${frontend.url}/api/auth/signup`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name: "Bench", email: `bench-${Date.now()}@example.com`, password: "benchmark-password" }),
  });
  if (signup.status !== 201) throw new Error(`sign-up failed: ${signup.status} ${await signup.text()}`);
  const cookie = (signup.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
  for (let index = 1; index <= 20; index += 1) {
    const created = await fetch(`${frontend.url}/api/tasks`, {
      method: "POST",
      headers: { "content-type": "application/json", cookie },
      body: JSON.stringify({ title: `Task number ${index}`, description: "Measured by the benchmark" }),
    });
    if (created.status !== 201) throw new Error(`creating a task failed: ${created.status}`);
  }
  const [name, value] = [cookie.slice(0, cookie.indexOf("=")), cookie.slice(cookie.indexOf("=") + 1)];

  /** @type {{ fcp: number, lcp: number, ttfb: number }[]} */
  const samples = [];
  let scriptBytes = 0;
  let scriptGzipBytes = 0;
  let scriptCount = 0;
  for (let run = 0; run < runs; run += 1) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    await context.addCookies([{ name, value, url: frontend.url }]);
    const page = await context.newPage();
    /** @type {Promise<void>[]} */
    const pending = [];
    if (run === 0) {
      page.on("response", (response) => {
        if (response.request().resourceType() !== "script") return;
        pending.push(
          response.body().then((body) => {
            scriptCount += 1;
            scriptBytes += body.length;
            scriptGzipBytes += gzipSync(body).length;
          }),
        );
      });
    }
    await page.goto(`${frontend.url}/tasks`);
    await page.getByTestId("task-item").first().waitFor();
    const timing = await page.evaluate(async () => {
      const navigation = /** @type {PerformanceNavigationTiming} */ (performance.getEntriesByType("navigation")[0]);
      const paint = performance.getEntriesByName("first-contentful-paint")[0];
      /** @type {number} */
      const largest = await new Promise((resolve) => {
        new PerformanceObserver((list) => resolve(list.getEntries().at(-1)?.startTime ?? NaN)).observe({
          type: "largest-contentful-paint",
          buffered: true,
        });
      });
      return { ttfb: navigation.responseStart, fcp: paint?.startTime ?? NaN, lcp: largest };
    });
    await page.waitForLoadState("networkidle");
    await Promise.all(pending);
    if (run > 0) samples.push(timing); // the first load warms the server up
    await context.close();
  }

  // The task list's own round trip (browser → web app → backend → mcp-server → PostgreSQL), to tell it apart
  // from page load and hydration in the figures above.
  /** @type {number[]} */
  const apiSamples = [];
  for (let index = 0; index < 20; index += 1) {
    const started = performance.now();
    const response = await fetch(`${frontend.url}/api/tasks?status=all`, { headers: { cookie } });
    await response.arrayBuffer();
    apiSamples.push(performance.now() - started);
  }

  await sleep(10_000);
  const rssIdle = residentMemory(frontend.pid);
  // Where the memory is, from the server's own Prometheus metrics (prom-client's process metrics).
  const metricsText = await (await fetch(`${frontend.url}/api/metrics`)).text();
  const gauge = (/** @type {string} */ name) =>
    Number(new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+]+)$`, "m").exec(metricsText)?.[1] ?? NaN) / MB;

  const figures = {
    task_page_js_files: scriptCount,
    task_page_js_kb: +(scriptBytes / KB).toFixed(1),
    task_page_js_gzip_kb: +(scriptGzipBytes / KB).toFixed(1),
    ttfb_ms_median: +median(samples.map((s) => s.ttfb)).toFixed(1),
    first_contentful_paint_ms_median: +median(samples.map((s) => s.fcp)).toFixed(1),
    largest_contentful_paint_ms_median: +median(samples.map((s) => s.lcp)).toFixed(1),
    samples: samples.length,
    api_tasks_ms_median: +median(apiSamples).toFixed(1),
    rss_mb_idle_after_start: +(rssAfterStart.total / MB).toFixed(1),
    rss_mb_idle_after_load: +(rssIdle.total / MB).toFixed(1),
    rss_anon_mb_idle_after_load: +(rssIdle.anon / MB).toFixed(1),
    rss_file_mb_idle_after_load: +(rssIdle.file / MB).toFixed(1),
    heap_used_mb: +gauge("nodejs_heap_size_used_bytes").toFixed(1),
    heap_total_mb: +gauge("nodejs_heap_size_total_bytes").toFixed(1),
    external_mb: +gauge("nodejs_external_memory_bytes").toFixed(1),
    node_options: values["node-options"],
    malloc_arena_max: values["malloc-arena-max"],
    server_node: execFileSync(values.node, ["--version"], { encoding: "utf8" }).trim(),
    load_average_1m: +(loadavg()[0] ?? 0).toFixed(2),
  };
  console.log(`Task page client JS: ${figures.task_page_js_files} files, ${figures.task_page_js_kb} KB raw, ${figures.task_page_js_gzip_kb} KB gzipped (target ≤ 200 KB)`);
  console.log(`Task page on loopback (median of ${samples.length} cold browser contexts, 20 tasks):`);
  console.log(`  time to first byte ${figures.ttfb_ms_median} ms, first contentful paint ${figures.first_contentful_paint_ms_median} ms, largest contentful paint ${figures.largest_contentful_paint_ms_median} ms`);
  console.log("  (the task list is part of the server-rendered HTML, so it is on the first paint)");
  console.log(`  GET /api/tasks alone (20 tasks, through backend and mcp-server): ${figures.api_tasks_ms_median} ms median`);
  console.log(`Standalone server RSS: ${figures.rss_mb_idle_after_start} MB idle after start, ${figures.rss_mb_idle_after_load} MB idle after serving (target ≤ 120 MB)`);
  console.log(
    `  after serving: ${figures.rss_anon_mb_idle_after_load} MB anonymous + ${figures.rss_file_mb_idle_after_load} MB file-backed (node binary, shared)`,
  );
  console.log(
    `  V8 heap ${figures.heap_used_mb} MB used / ${figures.heap_total_mb} MB reserved, external ${figures.external_mb} MB`,
  );
  console.log(
    `Server on Node ${figures.server_node}, NODE_OPTIONS "${figures.node_options}", MALLOC_ARENA_MAX "${figures.malloc_arena_max}"; machine load average (1 min) at the end: ${figures.load_average_1m}`,
  );
  console.log(JSON.stringify(figures));
} finally {
  await browser.close();
  await frontend.stop();
  await stack.stop();
}
