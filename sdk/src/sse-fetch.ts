/**
 * The `fetch` handed to the `eventsource` package (v4 accepts a custom one). It is how the SDK,
 * without re-implementing SSE parsing, gets what the standard EventSource API hides:
 * - request headers: `Authorization: Bearer <key>` and `Last-Event-ID` on a fresh instance;
 * - the HTTP status of a refused stream (401/403 back off harder and set state `error`) and its
 *   `Retry-After` (a rate-limited 429 waits at least that long);
 * - the server's `retry:` field (the backoff base; the EventSource API never exposes it);
 * - liveness: every chunk, heartbeat comments included, proves the connection is alive, so a
 *   silently dead TCP connection is noticed by an idle timer.
 * The body is passed through unchanged; the package still does all the parsing.
 * A browser's native EventSource ignores this (it has no `fetch` option); there the SDK falls back
 * to `?sdk_key=` and `?last_event_id=` and to its own backoff base.
 */

export type FetchFn = (input: string | URL, init?: RequestInit) => Promise<Response>;

/** The subset of eventsource v4's FetchLike that this wrapper relies on. */
export interface SseFetchInit {
  headers: Record<string, string>;
  signal?: unknown;
}

/** The subset of a fetch Response that eventsource v4 reads. */
export interface SseFetchResponse {
  readonly body: Response["body"];
  readonly url: string;
  readonly status: number;
  readonly redirected: boolean;
  readonly headers: { get(name: string): string | null };
}

export interface SseFetchHooks {
  headers(): Record<string, string>;
  onResponse(status: number, headers: { get(name: string): string | null }): void;
  onRetry(ms: number): void;
  onActivity(): void;
}

export function createSseFetch(baseFetch: FetchFn, hooks: SseFetchHooks) {
  return async (url: string | URL, init: SseFetchInit): Promise<SseFetchResponse> => {
    const res = await baseFetch(url, { ...(init as RequestInit), headers: { ...init.headers, ...hooks.headers() } });
    hooks.onResponse(res.status, res.headers);
    if (res.status !== 200 || !res.body) return res;
    hooks.onActivity();
    const body = res.body.pipeThrough(sniffer(hooks));
    return { body, url: res.url, status: res.status, redirected: res.redirected, headers: res.headers };
  };
}

function sniffer(hooks: SseFetchHooks): TransformStream<Uint8Array<ArrayBuffer>, Uint8Array<ArrayBuffer>> {
  const decoder = new TextDecoder();
  let partial = "";
  return new TransformStream({
    transform(chunk, controller) {
      controller.enqueue(chunk);
      hooks.onActivity();
      const text = partial + decoder.decode(chunk, { stream: true });
      const lines = text.split(/\r\n|\r|\n/);
      const rest = lines.pop() ?? "";
      // Only `retry:` lines matter and they are short: drop a long unfinished line, keeping a
      // marker so its tail can never be mistaken for the start of a line.
      partial = rest.length <= 64 ? rest : "\u0000";
      for (const line of lines) {
        const m = /^retry:\s?(\d+)$/.exec(line);
        if (m) hooks.onRetry(Number(m[1]));
      }
    },
  });
}

/** `Retry-After` in milliseconds (delta-seconds or an HTTP date), or undefined. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
