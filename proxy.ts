import { NextResponse, type NextRequest } from "next/server";
import { contentSecurityPolicy, newNonce } from "./lib/security/csp";

/**
 * Gives every console page its own CSP nonce (lib/security/csp.ts). The policy goes on the
 * request too, which is where Next.js reads the nonce for the scripts it renders. API routes and
 * static files are not matched: they get the nonce-less policy from next.config.ts and pay
 * nothing here.
 */
export function proxy(request: NextRequest): NextResponse {
  const policy = contentSecurityPolicy({ nonce: newNonce(), dev: process.env.NODE_ENV === "development" });
  const headers = new Headers(request.headers);
  headers.set("content-security-policy", policy);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set("content-security-policy", policy);
  return response;
}

export const config = {
  // Prefetched pages too (Next-Router-Prefetch, Purpose: prefetch): a browser may keep a
  // prefetched document and show it, so it needs the same policy as any other page.
  matcher: ["/((?!api/|ofrep/|_next/static|_next/image|favicon.ico).*)"],
};
