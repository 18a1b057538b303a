import type { Actor } from "../auth/actor";
import { visibleNamespaceKeys } from "../auth/permissions";
import type { HubEvent } from "../delivery/hub/hub-types";
import type { WatchHub } from "../delivery/hub/watch-hub";

/**
 * The console's live event stream (SSE). It listens to the process's watch hub (the same etcd watch
 * that feeds SDK streams) and forwards changes in namespaces the viewer may read. Every recheckMs
 * the request's credential is judged again exactly as a new request's would be (`recheck`): a
 * removed role narrows the stream; a signed-out, expired, password-changed or disabled session, or
 * a revoked token, ends it with "denied". After maxLifetimeMs it ends anyway; the browser's
 * EventSource reconnects (with Last-Event-ID) and so authenticates afresh. A browser that stops
 * reading is cut off once its buffer passes MAX_BUFFER_BYTES (it reconnects), so it can never hold
 * memory without bound.
 */
const HEARTBEAT_MS = 15_000;
const MAX_BUFFER_BYTES = 1_000_000;

export interface ConsoleStreamOptions {
  hub: WatchHub;
  actor: Actor;
  /** The actor the request's credential stands for now; null when it no longer stands for anyone. Throws on a transient failure (the stream then carries on). */
  recheck: () => Promise<Actor | null>;
  recheckMs: number;
  maxLifetimeMs: number;
  signal?: AbortSignal;
}

const encoder = new TextEncoder();
const frame = (event: string, data: unknown, id?: number) => encoder.encode(`${id ? `id: ${id}\n` : ""}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);

export function toConsoleEvent(e: HubEvent) {
  return {
    revision: e.revision,
    environment: e.environment,
    namespace: e.namespace,
    key: e.key,
    version: e.version,
    ...(e.type === "put" ? { type: e.doc.type, value: e.doc.value } : {}),
    updatedAt: Number.isFinite(e.committedAtMs) ? new Date(e.committedAtMs).toISOString() : null,
  };
}

export function consoleEventStream(opts: ConsoleStreamOptions): ReadableStream<Uint8Array> {
  let visible = visibleNamespaceKeys(opts.actor);
  const cleanups: (() => void)[] = [];
  let closed = false;
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        const close = () => {
          if (closed) return;
          closed = true;
          cleanups.forEach((c) => c());
          try {
            controller.close();
          } catch {
            // already closed by the client
          }
        };
        const send = (bytes: Uint8Array) => {
          if (closed) return;
          if ((controller.desiredSize ?? 0) < -MAX_BUFFER_BYTES) return close();
          controller.enqueue(bytes);
        };
        controller.enqueue(encoder.encode("retry: 2000\n\n"));
        send(frame("ready", { revision: opts.hub.currentRevision, flags: opts.hub.stats().flags }));
        cleanups.push(
          opts.hub.onBatch((events) => {
            for (const e of events) {
              if (visible && !visible.has(e.namespace)) continue;
              send(frame(e.type, toConsoleEvent(e), e.revision));
            }
          }),
        );
        const heartbeat = setInterval(() => send(encoder.encode(": heartbeat\n\n")), HEARTBEAT_MS);
        cleanups.push(() => clearInterval(heartbeat));
        const recheck = setInterval(async () => {
          // A database hiccup is not a verdict: keep streaming and ask again next time.
          const fresh = await opts.recheck().catch(() => undefined);
          if (fresh === null || (fresh && (fresh.type !== opts.actor.type || fresh.id !== opts.actor.id))) {
            send(frame("denied", { message: "Your session is no longer valid; sign in again." }));
            close();
          } else if (fresh) visible = visibleNamespaceKeys(fresh);
        }, opts.recheckMs);
        cleanups.push(() => clearInterval(recheck));
        const lifetime = setTimeout(close, opts.maxLifetimeMs);
        cleanups.push(() => clearTimeout(lifetime));
        // Without a signal (never under Next.js) the stream ends when its reader cancels it.
        opts.signal?.addEventListener("abort", close, { once: true });
      },
      cancel() {
        closed = true;
        cleanups.forEach((c) => c());
      },
    },
    { highWaterMark: MAX_BUFFER_BYTES, size: (chunk) => chunk.byteLength },
  );
}
