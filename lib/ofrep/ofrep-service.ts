import { TRUST_NONE, type TrustProxy } from "../delivery/stream/client-address";
import type { Db } from "../db/client";
import type { HttpReply } from "../delivery/stream/http-shape";
import type { ScopeSnapshot } from "../delivery/hub/hub-types";
import { etagMatches } from "../delivery/stream/http-shape";
import { lastEventIdFrom, type SdkRequest } from "../delivery/stream/request-credentials";
import { inScope, ScopeCache, type Scope } from "../delivery/hub/scope";
import type { StreamSink } from "../delivery/stream/stream-connection";
import type { WatchHub } from "../delivery/hub/watch-hub";
import type { SdkPrincipal } from "../sdk-keys/verify-sdk-key";
import { defaultMaxStreams } from "../delivery/stream/stream-capacity";
import { evaluateDocument, isContextFree, type OfrepEvaluation } from "./evaluation-adapter";
import { OfrepAdmitter, ofrepKeyFrom, type OfrepRateLimit } from "./ofrep-admission";
import { bulkEtag } from "./ofrep-etag";
import { OfrepEventStreams } from "./ofrep-events";
import { OFREP_BULK_PATH, OFREP_EVENTS_PATH, SSE_HEADERS, corsHeaders, jsonReply, preflightReply, rawJsonReply } from "./ofrep-http";
import { bodyText, CONTEXT_MAX_BYTES, parseOfrepText, tooLarge, toEngineContext, type OfrepContext, type ParsedRequest } from "./ofrep-request";

export interface OfrepServiceOptions {
  db: Db;
  hub: WatchHub;
  rateLimit?: OfrepRateLimit | false;
  /** Open OFREP event streams held at most (default: as many as the SDK stream allows). */
  maxStreams?: number;
  heartbeatMs?: number;
  revocationCheckMs?: number;
  /** Which peers' X-Forwarded-For names the client (TRUSTED_PROXIES; the SDK stream's setting). */
  trustProxy?: TrustProxy;
}

/** What a transport does with a request: send a reply, or open an event stream on its response. */
export type OfrepOutcome =
  | { kind: "reply"; reply: HttpReply }
  | { kind: "stream"; headers: Record<string, string>; open(sink: StreamSink): { close(): void } };

export type OfrepRequest = SdkRequest & { method: string; path: string; readBody(limit: number): Promise<Uint8Array> };

const SINGLE_PREFIX = `${OFREP_BULK_PATH}/`;
/** A scope snapshot's evaluated flags, when none of them depends on the context. */
const contextFreeFlags = new WeakMap<ScopeSnapshot, string>();
const INACTIVITY_DELAY_S = 120;

/**
 * OFREP (open-feature/protocol service/openapi.yaml) over the watch hub's in-memory state: the
 * single and bulk evaluation endpoints and the change-notification stream. Transport-neutral;
 * node-transport.ts and web-transport.ts adapt it. Never reads MySQL per request beyond the
 * (cached) key verification.
 */
export class OfrepService {
  /** The transports read the client address with this (delivery/stream/client-address.ts). */
  get trustProxy(): TrustProxy {
    return this.opts.trustProxy ?? TRUST_NONE;
  }

  private readonly admitter: OfrepAdmitter;
  readonly events: OfrepEventStreams;
  private readonly scopes = new ScopeCache();

  constructor(private readonly opts: OfrepServiceOptions) {
    this.admitter = new OfrepAdmitter(opts.db, opts.hub, opts.rateLimit);
    this.events = new OfrepEventStreams(opts.hub, opts.db, opts.maxStreams ?? defaultMaxStreams(), opts);
  }

  async handle(req: OfrepRequest): Promise<OfrepOutcome> {
    const origin = req.header("origin");
    if (req.method === "OPTIONS") return reply(preflightReply(origin));
    const isBulk = req.path === OFREP_BULK_PATH;
    const isSingle = req.path.startsWith(SINGLE_PREFIX) && req.path.length > SINGLE_PREFIX.length;
    const isEvents = req.path === OFREP_EVENTS_PATH;
    if (!isBulk && !isSingle && !isEvents) return reply(jsonReply(404, { errorDetails: `No OFREP endpoint at ${req.path.slice(0, 100)}` }, {}));
    const wanted = isEvents ? "GET" : "POST";
    if (req.method !== wanted) return reply(jsonReply(405, { errorDetails: `Only ${wanted} and OPTIONS are supported here` }, { allow: `${wanted}, OPTIONS` }));

    const admission = await this.admitter.admit(req, isEvents);
    if (!admission.ok) {
      const headers: Record<string, string> = admission.retryAfterS ? { "retry-after": String(admission.retryAfterS) } : {};
      if (admission.status === 401) headers["www-authenticate"] = 'Bearer realm="mizuflow-ofrep"';
      return reply(jsonReply(admission.status, { errorCode: "GENERAL", errorDetails: admission.message }, headers));
    }
    const { principal } = admission;
    const cors = corsHeaders(origin, principal.allowedOrigins);
    const scope = this.scopeOf(principal);
    if (isEvents) return this.openEvents(req, principal, scope, cors);

    const body = await req.readBody(CONTEXT_MAX_BYTES);
    const text = body.byteLength > CONTEXT_MAX_BYTES ? null : bodyText(body);
    if (isSingle) return reply(this.single(req.path.slice(SINGLE_PREFIX.length), principal, scope, text === null ? tooLarge() : parseOfrepText(text), cors));
    if (text === null) return reply(failure(tooLarge(), cors));
    // A revalidation is decided before the body is parsed: the tag hashes the body's text, a tag is
    // only ever issued for a text that parsed, and the same text always parses alike, so a match
    // means this body is valid and nothing in the scope changed (no JSON.parse, schema, evaluation).
    const snap = this.opts.hub.snapshot(scope);
    const etag = bulkEtag(scope, snap.lastChange, text);
    if (etagMatches(req.header("if-none-match"), etag)) return reply({ status: 304, headers: { ...cors, etag, "cache-control": "no-cache" }, body: "" });
    const parsed = parseOfrepText(text);
    if (!parsed.ok) return reply(failure(parsed, cors));
    return reply(this.bulk(req, scope, parsed.context, snap, etag, cors));
  }

  private single(rawKey: string, principal: SdkPrincipal, scope: Scope, parsed: ParsedRequest, cors: Record<string, string>): HttpReply {
    let key: string;
    try {
      key = decodeURIComponent(rawKey);
    } catch {
      key = rawKey;
    }
    if (!parsed.ok) return jsonReply(parsed.status, { key, errorCode: parsed.errorCode, errorDetails: parsed.errorDetails }, cors);
    const slash = key.indexOf("/");
    // Keys are namespace/key; a key scoped to exactly one namespace may name its flags bare.
    const ns = slash > 0 ? key.slice(0, slash) : principal.namespaces?.length === 1 ? principal.namespaces[0]! : null;
    const flagKey = slash > 0 ? key.slice(slash + 1) : key;
    const doc = ns !== null && inScope(scope, scope.environment, ns) ? this.opts.hub.document(scope.environment, ns, flagKey) : undefined;
    if (!doc) {
      const hint = ns === null ? " (name flags as namespace/key)" : "";
      return jsonReply(404, { key, errorCode: "FLAG_NOT_FOUND", errorDetails: `Flag '${key}' was not found${hint}` }, cors);
    }
    const result = evaluateDocument(
      key,
      doc,
      toEngineContext(parsed.context),
      typeof parsed.context.targetingKey === "string",
      (k) => this.opts.hub.document(scope.environment, ns!, k),
      (k) => this.opts.hub.segment(scope.environment, ns!, k),
    );
    return jsonReply("errorCode" in result ? 400 : 200, result, cors);
  }

  /** Every flag of the scope snapshot evaluated for `context`; `etag` is the snapshot's tag for this body. */
  private bulk(req: OfrepRequest, scope: Scope, context: OfrepContext, snap: ScopeSnapshot, etag: string, cors: Record<string, string>): HttpReply {
    const hub = this.opts.hub;
    let flagsJson = contextFreeFlags.get(snap);
    if (flagsJson === undefined) {
      const ctx = toEngineContext(context);
      const hasKey = typeof context.targetingKey === "string";
      const flags: OfrepEvaluation[] = [];
      let contextFree = true;
      for (const f of snap.flags) {
        const doc = hub.document(scope.environment, f.namespace, f.key);
        if (!doc) continue;
        contextFree &&= isContextFree(doc);
        flags.push(
          evaluateDocument(
            `${f.namespace}/${f.key}`,
            doc,
            ctx,
            hasKey,
            (k) => hub.document(scope.environment, f.namespace, k),
            (k) => hub.segment(scope.environment, f.namespace, k),
          ),
        );
      }
      flagsJson = JSON.stringify(flags);
      // Flags without rules evaluate alike for every context: encode them once per scope snapshot.
      if (contextFree) contextFreeFlags.set(snap, flagsJson);
    }
    // EventSource cannot send headers, so the stream URL carries the key the caller already holds.
    const sdkKey = ofrepKeyFrom(req, false) ?? "";
    const rest = {
      metadata: { environment: scope.environment, revision: snap.lastChange },
      eventStreams: [{ type: "sse", endpoint: { requestUri: `${OFREP_EVENTS_PATH}?sdk_key=${encodeURIComponent(sdkKey)}` }, inactivityDelaySec: INACTIVITY_DELAY_S }],
    };
    return rawJsonReply(200, `{"flags":${flagsJson},${JSON.stringify(rest).slice(1)}`, { ...cors, etag });
  }

  private openEvents(req: OfrepRequest, principal: SdkPrincipal, scope: Scope, cors: Record<string, string>): OfrepOutcome {
    if (this.events.openCount >= this.events.maxStreams) {
      const retryAfter = String(1 + Math.floor(Math.random() * 5));
      return reply(jsonReply(503, { errorCode: "GENERAL", errorDetails: "This server holds its maximum of OFREP streams; retry later" }, { ...cors, "retry-after": retryAfter }));
    }
    const lastEventId = lastEventIdFrom(req);
    return { kind: "stream", headers: { ...SSE_HEADERS, ...cors }, open: (sink) => this.events.open(scope, principal.keyId, lastEventId, sink) };
  }

  private scopeOf(p: SdkPrincipal): Scope {
    return this.scopes.of(p);
  }

  close(): void {
    this.events.close();
  }
}

const reply = (r: HttpReply): OfrepOutcome => ({ kind: "reply", reply: r });
const failure = (p: Extract<ParsedRequest, { ok: false }>, cors: Record<string, string>): HttpReply =>
  jsonReply(p.status, { errorCode: p.errorCode, errorDetails: p.errorDetails }, cors);
