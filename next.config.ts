import type { NextConfig } from "next";

const isDev = process.env.NODE_ENV === "development";

/**
 * Content-Security-Policy without nonces (pages stay statically optimisable). Next.js needs inline
 * scripts for its bootstrap and inline styles; dev mode additionally needs eval for fast refresh
 * and a websocket for HMR. Everything else is same-origin only; framing is refused outright.
 */
const csp = [
  "default-src 'self'",
  `script-src 'self' 'unsafe-inline'${isDev ? " 'unsafe-eval'" : ""}`,
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' blob: data:",
  "font-src 'self' data:",
  `connect-src 'self'${isDev ? " ws: wss:" : ""}`,
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

const securityHeaders = [
  { key: "Content-Security-Policy", value: csp },
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
  { key: "X-Frame-Options", value: "DENY" },
  { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=()" },
];

const nextConfig: NextConfig = {
  poweredByHeader: false,
  // The build checks only what it ships; tests, scripts and the worker are checked by
  // `npm run typecheck` (part of `npm test`), so a test file can never break a production build.
  typescript: { tsconfigPath: "tsconfig.next.json" },
  reactStrictMode: true,
  // Loaded with Node's own require instead of being bundled: mysql2 and the gRPC stack under etcd3
  // read files and native-ish internals at run time, prom-client must stay one registry per process.
  serverExternalPackages: ["mysql2", "etcd3", "@grpc/grpc-js", "@grpc/proto-loader", "prom-client", "bcryptjs"],
  async headers() {
    return [{ source: "/:path*", headers: securityHeaders }];
  },
};

export default nextConfig;
