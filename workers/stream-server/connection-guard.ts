import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { metrics } from "../../lib/observability/metrics";

/**
 * Default cap on connections with no request in service. With the head-room client-limits.ts adds
 * for requests in service and arrivals not yet trimmed, the server holds at most 300 sockets above
 * its stream cap: inside the 500 file descriptors stream-capacity.ts keeps free.
 */
export const DEFAULT_MAX_PENDING_CONNECTIONS = 200;
export const DEFAULT_PENDING_GRACE_MS = 500;

/**
 * Caps the connections of a public node:http server that have no request in service: sockets
 * still sending their request headers, or idle between keep-alive requests. None of them has
 * proven anything, and an attacker can open thousands and trickle bytes (slowloris). Past the cap,
 * the OLDEST such connection is closed to make room for the new one, so a flood of held
 * connections cannot make the server refuse new clients, whose headers arrive within
 * milliseconds of connecting.
 *
 * A connection whose request headers are complete is in service until its response ends, and is
 * never closed here: an SDK stream (admitted with a valid key), an admin API call (its body is read
 * only after its credentials are checked), or a request being refused right now. Deadlines
 * (headersTimeout, requestTimeout, keepAliveTimeout) still bound how long each connection waits;
 * this bounds how many wait at once.
 */
export class ConnectionGuard {
  /** Sockets with when they started waiting, oldest first; ones now in service are dropped lazily. */
  private readonly pending = new Map<Socket, number>();
  private readonly current = new WeakMap<Socket, ServerResponse>();
  private closedCount = 0;
  private timer: NodeJS.Timeout | null = null;

  /**
   * @param graceMs how long a new connection is safe from the cap: libuv accepts connections in
   *   batches and reads none of them before the next turn of the event loop, so a client that
   *   connected amid a flood must get the time for its (already sent) headers to be read. While
   *   every connection over the cap is younger than this, the cap is exceeded; the excess is at
   *   most what the server accepts in graceMs. No ceiling overrides the grace: one (4 x the cap)
   *   was tried, and a fleet of 2,000 SDK clients reconnecting at once never all got in (the
   *   oldest young sockets were cut before their headers were read, again on every retry), while
   *   what it bounded was only a flood's peak on a CPU-starved process.
   */
  constructor(
    private readonly max: number,
    private readonly graceMs = DEFAULT_PENDING_GRACE_MS,
  ) {
    if (!Number.isInteger(max) || max < 1) throw new Error(`maxPendingConnections must be a positive integer, got ${max}`);
  }

  attach(server: Server): void {
    server.on("connection", (socket: Socket) => {
      this.wait(socket);
      socket.once("close", () => this.pending.delete(socket));
    });
    server.on("request", (req: IncomingMessage, res: ServerResponse) => {
      this.current.set(req.socket, res);
      // Once the response ends the connection may idle (keep-alive), and waits again. One shared
      // listener ('finish' is emitted once per response), not a closure per request.
      res.on("finish", this.onFinish);
    });
  }

  private readonly onFinish = (() => {
    const guard = this;
    return function (this: ServerResponse) {
      const socket = this.req.socket;
      if (!socket.destroyed) guard.wait(socket);
    };
  })();

  /** Connections closed to respect the cap, since the server started. */
  get closed(): number {
    return this.closedCount;
  }

  private wait(socket: Socket): void {
    this.pending.delete(socket);
    this.pending.set(socket, performance.now());
    if (this.pending.size > this.max) this.trim();
  }

  private trim(): void {
    const now = performance.now();
    for (const [oldest, since] of this.pending) {
      if (this.pending.size <= this.max) break;
      if (this.inService(oldest) || oldest.destroyed) {
        this.pending.delete(oldest);
        continue;
      }
      if (now - since < this.graceMs) {
        // The rest are younger still: come back when this one's grace is over.
        this.timer ??= setTimeout(() => {
          this.timer = null;
          this.trim();
        }, this.graceMs - (now - since) + 1).unref();
        return;
      }
      this.pending.delete(oldest);
      this.closedCount += 1;
      metrics.pendingConnectionsClosed.inc();
      oldest.destroy();
    }
  }

  private inService(socket: Socket): boolean {
    const res = this.current.get(socket);
    return !!res && !res.writableFinished;
  }
}
