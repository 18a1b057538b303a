import type { HubEvent, ScopeSnapshot } from "../hub/hub-types";

/**
 * SSE encoding of the SDK stream protocol v1 (docs/PROTOCOL.md). Every frame is built once and
 * cached on the object it encodes: an event's frame is the same for every stream that carries it,
 * and a snapshot object is shared by every client of its scope at its revision.
 * JSON.stringify never emits a raw newline, so each payload is one `data:` line.
 */
export const HEARTBEAT_FRAME = Buffer.from(": heartbeat\n\n");

export function retryFrame(ms: number): Buffer {
  return Buffer.from(`retry: ${ms}\n\n`);
}

export function eventPayload(ev: HubEvent): string {
  if (ev.type === "put") {
    return JSON.stringify({
      revision: ev.revision,
      namespace: ev.namespace,
      key: ev.key,
      type: ev.doc.type,
      value: ev.doc.value,
      version: ev.version,
      // Not in the minimal protocol; lets SDKs and benchmarks measure commit-to-receipt latency.
      updatedAt: ev.doc.updatedAt,
      // Issue 14: the flag's rules, only when it has some (old clients ignore it and serve `value`).
      ...(ev.doc.targeting && Object.keys(ev.doc.targeting).length ? { targeting: ev.doc.targeting } : {}),
    });
  }
  if (ev.type === "segment") {
    return JSON.stringify({
      revision: ev.revision,
      namespace: ev.namespace,
      key: ev.key,
      ...(ev.doc.name !== undefined ? { name: ev.doc.name } : {}),
      constraints: ev.doc.constraints,
      version: ev.version,
      updatedAt: ev.doc.updatedAt,
    });
  }
  return JSON.stringify({ revision: ev.revision, namespace: ev.namespace, key: ev.key, version: ev.version });
}

export function eventFrame(ev: HubEvent): Buffer {
  return (ev.frame ??= Buffer.from(`event: ${ev.type}\nid: ${ev.revision}\ndata: ${eventPayload(ev)}\n\n`));
}

/** The body of GET /api/sdk/v1/flags, and the data of the `snapshot` event. */
export function snapshotJson(s: ScopeSnapshot): string {
  // `segments` only when the scope has some: a snapshot without it means "no segments".
  return (s.json ??= JSON.stringify(
    s.segments.length
      ? { revision: s.revision, environment: s.environment, flags: s.flags, segments: s.segments }
      : { revision: s.revision, environment: s.environment, flags: s.flags },
  ));
}

export function snapshotFrame(s: ScopeSnapshot): Buffer {
  return (s.frame ??= Buffer.from(`event: snapshot\nid: ${s.revision}\ndata: ${snapshotJson(s)}\n\n`));
}

/** The ETag of a scope's /flags body: changes exactly when something in the scope changed. */
export function snapshotEtag(s: ScopeSnapshot): string {
  return `"${s.environment}-${s.lastChange}-${s.scope.hash}"`;
}
