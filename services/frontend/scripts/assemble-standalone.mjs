// Makes .next/standalone self-contained: `next build` leaves the browser assets (.next/static) and public/
// outside it. After this, copying .next/standalone alone is enough to run `node server.js`.
import { cpSync, existsSync, rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const standalone = path.join(root, ".next", "standalone");
if (!existsSync(path.join(standalone, "server.js"))) {
  console.error("assemble-standalone: .next/standalone/server.js is missing; run `next build` first");
  process.exit(1);
}
for (const [from, to] of [
  [path.join(root, ".next", "static"), path.join(standalone, ".next", "static")],
  [path.join(root, "public"), path.join(standalone, "public")],
]) {
  rmSync(to, { recursive: true, force: true });
  if (existsSync(from)) cpSync(from, to, { recursive: true });
}
console.log("assemble-standalone: .next/standalone now holds server.js, .next/static and public/");
