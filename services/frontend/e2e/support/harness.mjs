// @ts-check
/**
 * Real processes for the browser tests and the benchmark: the Python stack (through the lead's launcher,
 * `python -m todo_testing.stack`), the production build of this app (`node .next/standalone/server.js`)
 * and headless Debian Chromium driven by playwright-core. Plain ESM (typed with JSDoc) so that the
 * benchmark under benchmarks/frontend can import it with Node alone.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createWriteStream, existsSync, mkdirSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

import { chromium } from "playwright-core";

export const frontendDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
export const repoRoot = path.resolve(frontendDir, "..", "..");
export const artifactsDir = path.join(repoRoot, "artifacts");

/** Flags for Debian's Chromium on a machine without a GPU, sandbox privileges or internet. */
export const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-quic",
  "--no-first-run",
];

/** @returns {Promise<number>} a loopback port that was free a moment ago */
export async function freePort() {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  server.close();
  await once(server, "close");
  return port;
}

/**
 * @param {string} url
 * @param {number} timeoutMs
 * @param {() => string | null} [exited] reports why waiting is pointless (the process died)
 */
export async function waitForHttpOk(url, timeoutMs, exited) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const reason = exited?.();
    if (reason) throw new Error(reason);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs} ms`);
}

/**
 * @typedef {{ backend_url: string, mcp_server_url: string, agent_url: string, database_url: string }} StackUrls
 * @typedef {{ urls: StackUrls, command: (line: string) => Promise<string>, stop: () => Promise<void> }} Stack
 */

/**
 * Starts backend, mcp-server, agent (builtin model) and a fresh database through the stack launcher.
 * On a loaded machine a service can miss the launcher's readiness deadline; one more attempt is made,
 * and the failure of the first is reported on stderr.
 * @param {{ logDir: string, timeoutMs?: number, attempts?: number }} options
 * @returns {Promise<Stack>}
 */
export async function startStack({ logDir, timeoutMs = 180_000, attempts = 2 }) {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await launchStack(path.join(logDir, `attempt-${attempt}`), timeoutMs);
    } catch (error) {
      if (attempt >= attempts) throw error;
      process.stderr.write(`stack launcher attempt ${attempt} failed, retrying: ${error}\n`);
    }
  }
}

/**
 * @param {string} logDir
 * @param {number} timeoutMs
 * @returns {Promise<Stack>}
 */
async function launchStack(logDir, timeoutMs) {
  mkdirSync(logDir, { recursive: true });
  const child = spawn("uv", ["run", "--frozen", "python", "-m", "todo_testing.stack", "--log-dir", logDir], {
    cwd: repoRoot,
    env: { ...process.env, SSL_CERT_FILE: process.env.SSL_CERT_FILE ?? "/etc/ssl/certs/ca-certificates.crt" },
    stdio: ["pipe", "pipe", "pipe"],
  });
  const stderr = createWriteStream(path.join(logDir, "stack-launcher.log"));
  child.stderr.pipe(stderr);
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const exitedEarly = once(child, "exit").then(([code]) => {
    throw new Error(`the stack launcher exited with ${code}; see ${path.join(logDir, "stack-launcher.log")}`);
  });
  exitedEarly.catch(() => {});

  /** @returns {Promise<string>} */
  async function nextLine(/** @type {number} */ waitMs) {
    const timeout = new Promise((_, reject) =>
      setTimeout(() => reject(new Error(`the stack launcher said nothing for ${waitMs} ms`)), waitMs).unref(),
    );
    const next = lines.next().then((result) => {
      if (result.done) throw new Error("the stack launcher closed its output");
      return result.value;
    });
    return /** @type {Promise<string>} */ (Promise.race([next, exitedEarly, timeout]));
  }

  // The first stdout line holding the URLs; anything before it (e.g. migration output) is skipped.
  const deadline = Date.now() + timeoutMs;
  let first = await nextLine(timeoutMs);
  while (!first.startsWith('{"backend_url"')) first = await nextLine(Math.max(1, deadline - Date.now()));
  const urls = /** @type {StackUrls} */ (JSON.parse(first));
  return {
    urls,
    async command(line) {
      child.stdin.write(`${line}\n`);
      const answer = await nextLine(60_000);
      if (answer !== "ok") throw new Error(`stack launcher answered ${JSON.stringify(answer)} to ${JSON.stringify(line)}`);
      return answer;
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = once(child, "exit");
      child.stdin.end("quit\n");
      const timer = setTimeout(() => child.kill("SIGTERM"), 30_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * @typedef {{ url: string, pid: number, readOnly: boolean, stop: () => Promise<{ code: number | null, signal: string | null, ms: number }> }} Frontend
 */

/** True when `next build` and the standalone assembly have run. */
export function standaloneBuildExists() {
  const standalone = path.join(frontendDir, ".next", "standalone");
  return existsSync(path.join(standalone, "server.js")) && existsSync(path.join(standalone, ".next", "static"));
}

/** Root can mount the app directory read-only in a private mount namespace, like the container's root FS. */
export function canMountReadOnly() {
  return process.getuid?.() === 0 && existsSync("/usr/bin/unshare");
}

/**
 * Runs the production build exactly as the image does: `node server.js` from .next/standalone. With
 * `readOnly` the standalone directory is bind-mounted read-only for the server (private mount namespace),
 * so any write under .next (e.g. .next/cache) fails as it would in the container.
 * @param {{ backendUrl: string, logFile: string, readOnly?: boolean, nodeOptions?: string, nodeBinary?: string, env?: Record<string, string> }} options
 * @returns {Promise<Frontend>}
 */
export async function startFrontend({
  backendUrl,
  logFile,
  readOnly = canMountReadOnly(),
  nodeOptions,
  nodeBinary = process.execPath,
  env = {},
}) {
  if (!standaloneBuildExists()) {
    throw new Error("no production build: run `npm run build` in services/frontend first");
  }
  const port = await freePort();
  mkdirSync(path.dirname(logFile), { recursive: true });
  const log = createWriteStream(logFile);
  const appDir = path.join(frontendDir, ".next", "standalone");
  const [command, args] = readOnly
    ? [
        "/usr/bin/unshare",
        [
          "--mount",
          "--propagation",
          "private",
          "/bin/sh",
          "-c",
          'mount --bind "$0" "$0" && mount -o remount,ro,bind "$0" "$0" && exec "$1" server.js',
          appDir,
          nodeBinary,
        ],
      ]
    : [nodeBinary, ["server.js"]];
  log.write(`starting ${readOnly ? "from a read-only mount" : "(writable directory)"}: ${appDir}\n`);
  const child = spawn(command, args, {
    cwd: appDir,
    env: {
      PATH: process.env.PATH,
      NODE_ENV: "production",
      NEXT_TELEMETRY_DISABLED: "1",
      PORT: String(port),
      HOSTNAME: "127.0.0.1",
      BACKEND_URL: backendUrl,
      ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}),
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const url = `http://127.0.0.1:${port}`;
  await waitForHttpOk(`${url}/api/healthz`, 30_000, () =>
    child.exitCode === null ? null : `the web app exited with ${child.exitCode}; see ${logFile}`,
  );
  return {
    url,
    pid: /** @type {number} */ (child.pid),
    readOnly,
    async stop() {
      const started = Date.now();
      if (child.exitCode !== null) return { code: child.exitCode, signal: null, ms: 0 };
      const exited = once(child, "exit");
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
      const [code, signal] = await exited;
      clearTimeout(timer);
      return { code, signal, ms: Date.now() - started };
    },
  };
}

/** Headless Debian Chromium; Playwright's own browser download does not work offline. */
export async function launchChromium() {
  return chromium.launch({ executablePath: "/usr/bin/chromium", headless: true, args: CHROMIUM_FLAGS });
}

/**
 * Resident memory in bytes: total, anonymous (the process's own) and file-backed (mostly the node binary's
 * pages, shared with every other process running the same binary).
 * @param {number} pid
 * @returns {{ total: number, anon: number, file: number }}
 */
export function residentMemory(pid) {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const field = (/** @type {string} */ name) => {
    const match = new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(status);
    if (!match?.[1]) throw new Error(`no ${name} for pid ${pid}`);
    return Number(match[1]) * 1024;
  };
  return { total: field("VmRSS"), anon: field("RssAnon"), file: field("RssFile") };
}
