import { ConsecutiveBreaker, ExponentialBackoff, circuitBreaker, handleWhen, retry, type IBackoff } from "cockatiel";
import { Etcd3, GRPCDeadlineExceededError, isRecoverableError, type CallContext, type Namespace } from "etcd3";
import { getEnv } from "../config/env";

/**
 * Everything MizuFlow keeps in etcd lives under one prefix (ETCD_PREFIX, default /mizuflow/v1/).
 * Code works on an etcd3 `Namespace` rooted there, so tests can run side by side under their own
 * prefixes on one etcd.
 */
export interface EtcdHandle {
  client: Etcd3;
  root: Namespace;
}

/**
 * etcd3's default circuit breaker keeps a failed host closed for 5 s, which would add up to 5 s to
 * every recovery (relay drain, re-election, watch resume) after etcd comes back. A 1 s half-open
 * window keeps recovery fast while still not hammering a dead host.
 */
function faultHandling() {
  const recoverable = handleWhen((err) => isRecoverableError(err));
  // A call past its deadline (see callOptions) says "slow or leaderless", not "down": it is retried,
  // but must not open the host's breaker, or during an election every live member would be shut
  // off for a second, watches and lease keepalives included.
  const hostDown = handleWhen((err) => isRecoverableError(err) && !(err instanceof GRPCDeadlineExceededError));
  return {
    host: () => circuitBreaker(hostDown, { halfOpenAfter: 1000, breaker: new ConsecutiveBreaker(3) }),
    global: retry(recoverable, { maxAttempts: 2, backoff: new ExponentialBackoff({ initialDelay: 50, maxDelay: 500 }) }),
    // etcd3 types this as an IBackoff but calls `.next()` on it like the factory it defaults to.
    watchBackoff: new ExponentialBackoff({ initialDelay: 100, maxDelay: 2000 }) as unknown as IBackoff<unknown>,
  };
}

/**
 * Deadline of single-key KV calls (the fenced publish's reads and transactions, puts, deletes). A
 * member that lost its leader holds a write until etcd's own request timeout (~5 s) when it has
 * forwarded it to a leader that just died; with a deadline the call fails fast and etcd3 retries it
 * (global policy) on another member, which succeeds once a new leader exists (~0.1-0.3 s). Retrying
 * is safe because every write is fenced. Each retry of the same call gets twice the time (0.5, 1,
 * 2 s over etcd3's three attempts), so an etcd that is merely slow still gets through, and one that
 * stays slower than that fails the call: the relay retries it later (the outbox row stays pending).
 * Range reads over prefixes keep no deadline: they may legitimately take long on a big keyspace.
 */
export const ETCD_KEY_CALL_TIMEOUT_MS = 500;

const attemptsOf = new WeakMap<object, number>();

function callOptions(ctx: CallContext): { deadline?: number } {
  if (ctx.isStream || ctx.service !== "KV") return {};
  const p = ctx.params as { range_end?: unknown };
  const single = ctx.method === "txn" || ctx.method === "put" || ((ctx.method === "range" || ctx.method === "deleteRange") && !p.range_end);
  if (!single) return {};
  // etcd3 resolves call options once per attempt with the same params object.
  const attempt = attemptsOf.get(ctx.params) ?? 0;
  attemptsOf.set(ctx.params, attempt + 1);
  return { deadline: Date.now() + ETCD_KEY_CALL_TIMEOUT_MS * 2 ** Math.min(attempt, 3) };
}

export function createEtcd(endpoints: string[], prefix: string): EtcdHandle {
  const client = new Etcd3({
    hosts: endpoints,
    dialTimeout: 3000,
    defaultCallOptions: callOptions,
    faultHandling: faultHandling(),
    // Keepalive pings tear down a connection that went silent (a peer that vanished without a FIN),
    // so watches and leases fail over instead of waiting on a dead socket. Only while a call is
    // open, though: etcd's server enforces "no pings without an active stream" (grpc-go
    // PermitWithoutStream=false), counts every ping on an idle connection as a strike and, at the
    // third, closes the connection with GOAWAY too_many_pings: with pings on idle connections etcd
    // closed ours every 30-40 s, and any stream just opened on one went down with it (keepalive
    // .test.ts). Unary calls have their own deadlines (callOptions).
    grpcOptions: {
      "grpc.keepalive_time_ms": 10_000,
      "grpc.keepalive_timeout_ms": 5_000,
      "grpc.keepalive_permit_without_calls": 0,
    },
  });
  return { client, root: client.namespace(prefix) };
}

const globalForEtcd = globalThis as unknown as { mizuflowEtcd?: EtcdHandle };

export function getEtcd(): EtcdHandle {
  if (!globalForEtcd.mizuflowEtcd) {
    const env = getEnv();
    globalForEtcd.mizuflowEtcd = createEtcd(env.ETCD_ENDPOINTS, env.ETCD_PREFIX);
  }
  return globalForEtcd.mizuflowEtcd;
}
