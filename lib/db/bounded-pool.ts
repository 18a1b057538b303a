import type { Pool, PoolConnection } from "mysql2/promise";

export interface PoolTimeouts {
  /** Longest wait for a connection (pool queue plus connecting). */
  acquireTimeoutMs: number;
  /** Longest a single statement may take before its connection is given up; 0 = no limit. */
  queryTimeoutMs: number;
}

/** Shaped like mysql2's own connection-level failures (code + fatal), so errors/http.ts answers 503. */
function timeoutError(what: string, ms: number): Error {
  const err = new Error(`Database ${what} timed out after ${ms} ms`) as Error & { code: string; fatal: boolean };
  err.code = "PROTOCOL_SEQUENCE_TIMEOUT";
  err.fatal = true;
  return err;
}

/** A timer that fires this much later than asked means the whole process was paused meanwhile. */
const PAUSE_MS = 500;
/** After a pause, how much longer a statement may take (its reply may be on its way in). */
const AFTER_PAUSE_GRACE_MS = 250;

/**
 * Rejects when `work` has not settled within `ms`. A deadline never fires for a reply that already
 * arrived: after a pause of the process (GC, CPU throttling, SIGSTOP, VM migration) the event loop
 * runs expired timers BEFORE it reads the sockets, so a plain setTimeout would reject a statement
 * whose answer sits unread in the socket buffer (and the caller would report "nothing changed" for
 * a COMMIT that went through). The timer therefore only arms a check that runs after the next I/O
 * poll (setImmediate), and a timer that fired late (the process was paused, not the server slow)
 * gives the statement a short grace before giving up.
 */
export function deadline<T>(work: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    let graced = false;
    const arm = (after: number) => {
      const due = performance.now() + after;
      timer = setTimeout(() => {
        const late = performance.now() - due;
        setImmediate(() => {
          if (settled) return;
          if (late > PAUSE_MS && !graced) {
            graced = true;
            arm(AFTER_PAUSE_GRACE_MS);
            return;
          }
          settled = true;
          reject(onTimeout());
        });
      }, after);
    };
    arm(ms);
    work.then(
      (v) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}

function bounded(conn: PoolConnection, t: PoolTimeouts): PoolConnection {
  if (t.queryTimeoutMs <= 0) return conn;
  const run =
    (method: "query" | "execute") =>
    (...args: unknown[]) =>
      deadline((conn[method] as (...a: unknown[]) => Promise<unknown>)(...args), t.queryTimeoutMs, () => {
        // The statement may never be answered (server frozen, network partition): drop the
        // connection so nothing queues behind it and the pool replaces it.
        conn.destroy();
        return timeoutError("query", t.queryTimeoutMs);
      });
  const query = run("query");
  const execute = run("execute");
  // Bound methods are made once per connection, not on every property access (hot path).
  const bound = new Map<string | symbol, unknown>();
  return new Proxy(conn, {
    get(target, prop) {
      if (prop === "query") return query;
      if (prop === "execute") return execute;
      const v = Reflect.get(target, prop, target) as unknown;
      if (typeof v !== "function") return v;
      let b = bound.get(prop) as { orig: unknown; fn: unknown } | undefined;
      if (!b || b.orig !== v) bound.set(prop, (b = { orig: v, fn: (v as (...a: unknown[]) => unknown).bind(target) }));
      return b.fn;
    },
  });
}

/**
 * A mysql2 promise pool whose requests always end. mysql2 on its own waits forever for a statement
 * on a connection whose server has stopped answering (a frozen host, a network partition: the TCP
 * connection stays open, no error ever arrives) and for a free connection when all of them are stuck
 * like that. Here every statement has a deadline (its connection is destroyed when it passes) and
 * so does getting a connection, so callers get an error to turn into 503 within seconds.
 */
export function boundedPool(pool: Pool, t: PoolTimeouts): Pool {
  async function getConnection(): Promise<PoolConnection> {
    const pending = pool.getConnection();
    try {
      return bounded(await deadline(pending, t.acquireTimeoutMs, () => timeoutError("connection", t.acquireTimeoutMs)), t);
    } catch (err) {
      // A connection that turns up after we gave up goes straight back.
      pending.then((c) => c.release(), () => {});
      throw err;
    }
  }
  const oneShot =
    (method: "query" | "execute") =>
    async (...args: unknown[]) => {
      const conn = await getConnection();
      try {
        return await (conn[method] as (...a: unknown[]) => Promise<unknown>)(...args);
      } finally {
        conn.release();
      }
    };
  const query = oneShot("query");
  const execute = oneShot("execute");
  return new Proxy(pool, {
    get(target, prop) {
      if (prop === "getConnection") return getConnection;
      if (prop === "query") return query;
      if (prop === "execute") return execute;
      const v = Reflect.get(target, prop, target) as unknown;
      return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}
