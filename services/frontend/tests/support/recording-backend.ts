import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface ScriptedAnswer {
  status: number;
  body?: unknown;
  contentType?: string;
}

/**
 * A real HTTP server on a free loopback port that records what the route handlers send and answers with
 * whatever the test scripted (the backend itself is exercised by the end-to-end suite).
 */
export class RecordingBackend {
  readonly requests: RecordedRequest[] = [];
  private answer: ScriptedAnswer = { status: 200, body: {} };
  private connectionsToDrop = 0;
  private requestsToHold = 0;
  private readonly server: Server;
  url = "";

  private constructor() {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        this.requests.push({
          method: request.method ?? "",
          url: request.url ?? "",
          headers: request.headers,
          body: Buffer.concat(chunks).toString("utf8"),
        });
        if (this.connectionsToDrop > 0) {
          // As a backend pod that goes away mid-request: the connection is reset, no answer at all.
          this.connectionsToDrop -= 1;
          request.socket.destroy();
          return;
        }
        if (this.requestsToHold > 0) {
          // As a backend pod on a node that vanished: the request went out, nothing ever comes back.
          this.requestsToHold -= 1;
          return;
        }
        const { status, body, contentType = "application/json" } = this.answer;
        response.writeHead(status, body === undefined ? {} : { "content-type": contentType });
        response.end(body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body));
      });
    });
  }

  static async start(): Promise<RecordingBackend> {
    const backend = new RecordingBackend();
    await new Promise<void>((resolve) => backend.server.listen(0, "127.0.0.1", resolve));
    backend.url = `http://127.0.0.1:${(backend.server.address() as AddressInfo).port}`;
    return backend;
  }

  answerWith(answer: ScriptedAnswer): void {
    this.answer = answer;
  }

  /** The next `count` requests are recorded, then their connections are reset without an answer. */
  dropConnections(count: number): void {
    this.connectionsToDrop = count;
  }

  /** The next `count` requests are recorded and never answered (their connections stay open). */
  holdRequests(count: number): void {
    this.requestsToHold = count;
  }

  lastRequest(): RecordedRequest {
    const last = this.requests.at(-1);
    if (!last) throw new Error("the backend received no request");
    return last;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve, reject) => this.server.close((error) => (error ? reject(error) : resolve())));
  }
}

/** A loopback port that nothing listens on (bound, then released). */
export async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

/** An unsigned JWT-shaped token; the route handlers only read its claims (the backend verifies it). */
export function fakeJwt(claims: Record<string, unknown>): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  return `${encode({ alg: "HS256", typ: "JWT" })}.${encode(claims)}.c2lnbmF0dXJl`;
}
