/**
 * A transport-neutral view of an SDK request: the Next.js adapter builds it from a web Request,
 * the stream server from an IncomingMessage.
 */
export interface SdkRequest {
  /** Header value by lower-case name, or null. */
  header(name: string): string | null;
  query: URLSearchParams;
  /** The client address (client-address.ts) failed key checks are counted by (null if unknown). */
  address: string | null;
}

/** `Authorization: Bearer <key>`, else `?sdk_key=` (EventSource cannot set headers). */
export function sdkKeyFrom(req: SdkRequest): string | null {
  const auth = req.header("authorization");
  if (auth) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    if (m) return m[1]!;
  }
  const q = req.query.get("sdk_key");
  return q ? q.trim() : null;
}

/** `Last-Event-ID` (sent by EventSource on reconnect), else `?last_event_id=`; null if absent or not a revision. */
export function lastEventIdFrom(req: SdkRequest): number | null {
  const raw = req.header("last-event-id") ?? req.query.get("last_event_id");
  if (!raw || !/^\d{1,15}$/.test(raw.trim())) return null;
  return Number(raw.trim());
}
