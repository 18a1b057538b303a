import type { Db } from "../db/client";
import type { BodyReader } from "../delivery/presence/client-report";
import type { HttpReply } from "../delivery/stream/http-shape";
import { sdkKeyFrom, type SdkRequest } from "../delivery/stream/request-credentials";
import type { StreamCore } from "../delivery/stream/stream-core";
import { ServiceError } from "../errors/service-error";
import { corsHeaders } from "../ofrep/ofrep-http";
import { verifySdkKey, type SdkPrincipal } from "../sdk-keys/verify-sdk-key";

/**
 * CORS of POST /api/sdk/v1/report per SDK key (docs/PROTOCOL.md, "The revision report"), around
 * the shared report logic (delivery/presence/client-report.ts), with OFREP's rule and source of origins:
 *
 * - client key: the response names the caller's Origin only when the key's `allowedOrigins` list
 *   it (default none). A report from any other browser origin is refused with 403 and NOT
 *   recorded: browsers send it as a CORS-simple text/plain POST without a preflight, so withholding
 *   the header alone would still let the page write. A request without `Origin` (not a browser,
 *   e.g. a mobile app) is not a CORS matter and is recorded.
 * - server key: `Access-Control-Allow-Origin: *`, as on the stream and snapshot it reports about
 *   (the stream SDK in a browser); server keys take no origins (they are refused at creation).
 * - answers given before the key is known (401, 429, 503) carry no CORS header.
 * - the preflight carries no key, so it is answered from the request alone, without MySQL.
 */
export const REPORT_ALLOW_HEADERS = "Authorization, Content-Type";

export function reportPreflight(origin: string | null): HttpReply {
  const headers: Record<string, string> = {
    vary: "Origin",
    "cache-control": "no-store",
    "access-control-allow-methods": "POST, OPTIONS",
    "access-control-allow-headers": REPORT_ALLOW_HEADERS,
    "access-control-max-age": "600",
  };
  if (origin) headers["access-control-allow-origin"] = origin;
  return { status: 204, headers, body: "" };
}

export async function handleReport(core: StreamCore, db: Db, req: SdkRequest, readBody: BodyReader): Promise<HttpReply> {
  const origin = req.header("origin");
  let principal: SdkPrincipal | null = null;
  // ClientReports reads the body only once the key passed every check (key, revocation, rate
  // limits) and before it records anything: the key is valid and in verifySdkKey's cache, so
  // learning its origins here costs no MySQL, and a refusal here records nothing.
  const gated: BodyReader = async (limit) => {
    const key = sdkKeyFrom(req);
    const verdict = key ? await verifySdkKey(db, key) : null;
    if (verdict?.status === "ok") principal = verdict.principal;
    if (origin && principal?.kind === "client" && !principal.allowedOrigins.includes(origin.toLowerCase())) {
      throw new ServiceError("forbidden", "This client SDK key does not allow this origin (its allowedOrigins)");
    }
    return readBody(limit);
  };
  const reply = await core.reports.handle(req, gated);
  return { ...reply, headers: withKeyCors(reply.headers, origin, principal) };
}

function withKeyCors(headers: Record<string, string>, origin: string | null, principal: SdkPrincipal | null): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (!k.toLowerCase().startsWith("access-control-")) out[k] = v;
  const p = principal as SdkPrincipal | null;
  if (p?.kind === "server") return { ...out, "access-control-allow-origin": "*", "access-control-expose-headers": "ETag, Retry-After" };
  if (p?.kind === "client") return { ...out, ...corsHeaders(origin, p.allowedOrigins) };
  return { ...out, vary: "Origin" };
}
