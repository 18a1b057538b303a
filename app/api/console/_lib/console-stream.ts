import type { Actor } from "@/lib/auth/actor";
import { visibleNamespaceKeys } from "@/lib/auth/permissions";
import { loadUserActor } from "@/lib/auth/session-actor";
import type { Db } from "@/lib/db/client";
import type { HubEvent } from "@/lib/delivery/hub-types";
import type { WatchHub } from "@/lib/delivery/watch-hub";

/**
 * The console's live event stream (SSE). It listens to the process's watch hub (the same etcd watch
 * that feeds SDK streams) and forwards changes in namespaces the viewer may read. Every 30 s the
 * viewer's roles are read again: a removed role narrows the stream, a disabled account ends it.
 * A browser that stops reading is cut off once its buffer passes MAX_BUFFER_BYTES (it reconnects),
 * so it can never hold memory without bound.
 */
const HEARTBEAT_MS = 15_000;
const RECHECK_MS = 30_000;
const MAX_BUFFER_BYTES = 1_000_000;

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

export function consoleEventStream(opts: { hub: WatchHub; actor: Actor; db: Db; signal?: AbortSignal }): ReadableStream<Uint8Array> {
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
        if (opts.actor.type === "user" && opts.actor.id) {
          const userId = Number(opts.actor.id);
          const recheck = setInterval(async () => {
            const fresh = await loadUserActor(opts.db, userId).catch(() => undefined);
            if (fresh === null) {
              send(frame("denied", { message: "Your session is no longer valid; sign in again." }));
              close();
            } else if (fresh) visible = visibleNamespaceKeys(fresh);
          }, RECHECK_MS);
          cleanups.push(() => clearInterval(recheck));
        }
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
