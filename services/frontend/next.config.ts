import path from "node:path";
import { fileURLToPath } from "node:url";
import type { NextConfig } from "next";

const projectRoot = path.dirname(fileURLToPath(import.meta.url));

const securityHeaders = [
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "X-Frame-Options", value: "DENY" },
  { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
  { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=()" },
];

const nextConfig: NextConfig = {
  output: "standalone",
  // The repo root holds other lockfiles (uv.lock); pin tracing to this app so the
  // standalone server lands at .next/standalone/server.js.
  outputFileTracingRoot: projectRoot,
  turbopack: { root: projectRoot },
  // The image optimizer writes to .next/cache at run time; the container root FS is read-only.
  images: { unoptimized: true },
  // With the optimizer off, sharp (≈20 MB of native code) is dead weight in the standalone output.
  outputFileTracingExcludes: { "*": ["node_modules/sharp/**", "node_modules/@img/**"] },
  poweredByHeader: false,
  reactStrictMode: true,
  async headers() {
    return [{ source: "/:path*", headers: securityHeaders }];
  },
};

export default nextConfig;
