import type { Browser } from "playwright-core";

export const frontendDir: string;
export const repoRoot: string;
export const artifactsDir: string;
export const CHROMIUM_FLAGS: string[];

export interface StackUrls {
  backend_url: string;
  mcp_server_url: string;
  agent_url: string;
  database_url: string;
}

export interface Stack {
  urls: StackUrls;
  /** Sends one launcher command (e.g. "stop backend") and resolves once it answered "ok". */
  command(line: string): Promise<string>;
  stop(): Promise<void>;
}

export interface Frontend {
  url: string;
  pid: number;
  /** The standalone directory was mounted read-only for the server. */
  readOnly: boolean;
  /** SIGTERM, then waits for the exit. */
  stop(): Promise<{ code: number | null; signal: string | null; ms: number }>;
}

export function freePort(): Promise<number>;
export function waitForHttpOk(url: string, timeoutMs: number, exited?: () => string | null): Promise<void>;
export function startStack(options: { logDir: string; timeoutMs?: number }): Promise<Stack>;
export function standaloneBuildExists(): boolean;
export function canMountReadOnly(): boolean;
export function startFrontend(options: {
  backendUrl: string;
  logFile: string;
  readOnly?: boolean;
  /** NODE_OPTIONS for the server, e.g. V8 heap flags. */
  nodeOptions?: string;
  /** The node binary to run server.js with (default: the one running this script). */
  nodeBinary?: string;
  /** More environment variables for the server. */
  env?: Record<string, string>;
}): Promise<Frontend>;
export function launchChromium(): Promise<Browser>;
export function residentMemory(pid: number): { total: number; anon: number; file: number };
