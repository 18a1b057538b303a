/**
 * What the admin API wrapper (withApi) needs of a request. A Fetch Request fits it through
 * fromFetchRequest (Next.js route handlers); node-api-adapter.ts builds one straight from an
 * IncomingMessage, without the cost of a Fetch Request, its Headers, body stream and AbortSignal.
 */
export interface HeaderReader {
  get(name: string): string | null;
}

export interface ApiRequest {
  readonly method: string;
  /** Absolute URL (the query string is read from it). */
  readonly url: string;
  readonly headers: HeaderReader;
  /** Aborted when the client goes away (streaming responses stop then). */
  readonly signal?: AbortSignal;
  /** The body, reading at most `limit` + 1 bytes, so "too large" is seen without buffering it all. */
  bodyBytes(limit: number): Promise<Uint8Array>;
}

export function fromFetchRequest(req: Request): ApiRequest {
  return { method: req.method, url: req.url, headers: req.headers, signal: req.signal, bodyBytes: (limit) => readStreamLimited(req.body, limit) };
}

async function readStreamLimited(body: ReadableStream<Uint8Array> | null, limit: number): Promise<Uint8Array> {
  if (!body) return new Uint8Array(0);
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => {});
      break;
    }
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.byteLength;
  }
  return out;
}
