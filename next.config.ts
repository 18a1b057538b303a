import type { NextConfig } from "next";
import { contentSecurityPolicy } from "./lib/security/csp";

const isDev = process.env.NODE_ENV === "development";

const securityHeaders = [
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
  // The console's one stylesheet (~12 KB) goes into each page's HTML instead of a render-blocking
  // request: first paint and the inline RSC scripts (which wait for pending stylesheets) no longer
  // wait for a second round trip. The CSP's style-src already allows inline styles.
  experimental: { inlineCss: true },
  // Loaded with Node's own require instead of being bundled: mysql2 and the gRPC stack under etcd3
  // read files and native-ish internals at run time, prom-client must stay one registry per process.
  serverExternalPackages: ["mysql2", "etcd3", "@grpc/grpc-js", "@grpc/proto-loader", "prom-client", "bcryptjs"],
  async headers() {
    // Pages get their CSP, with a per-request nonce, from proxy.ts; everything else (admin API,
    // SDK endpoints, static assets) runs no scripts and gets the same policy without one.
    const noNonce = [{ key: "Content-Security-Policy", value: contentSecurityPolicy({ dev: isDev }) }];
    return [
      { source: "/:path*", headers: securityHeaders },
      { source: "/api/:path*", headers: noNonce },
      { source: "/_next/:path*", headers: noNonce },
    ];
  },
};

export default nextConfig;
