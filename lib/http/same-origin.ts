import type { ApiRequest } from "./api-request";
import { forbidden } from "../errors/service-error";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * CSRF defence for cookie-authenticated writes: browsers attach cookies to cross-site requests, so a
 * write authenticated by a cookie must come from our own origin. Modern browsers say so in
 * Sec-Fetch-Site; otherwise the Origin header must name this host. Bearer-token requests never get
 * here (a cross-site page cannot set the Authorization header without CORS, which we never allow).
 */
export function assertSameOriginWrite(req: Pick<ApiRequest, "method" | "headers" | "url">): void {
  if (SAFE_METHODS.has(req.method)) return;
  const site = req.headers.get("sec-fetch-site");
  if (site) {
    if (site === "same-origin") return;
    throw forbidden("Cross-site requests cannot change anything");
  }
  const origin = req.headers.get("origin");
  if (!origin) throw forbidden("Cookie-authenticated writes must send an Origin header");
  const host = req.headers.get("x-forwarded-host") ?? req.headers.get("host") ?? new URL(req.url).host;
  let originHost: string;
  try {
    originHost = new URL(origin).host;
  } catch {
    throw forbidden("Cross-site requests cannot change anything");
  }
  if (originHost !== host) throw forbidden("Cross-site requests cannot change anything");
}
