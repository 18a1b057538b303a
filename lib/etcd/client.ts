import { ConsecutiveBreaker, ExponentialBackoff, circuitBreaker, handleWhen, retry, type IBackoff } from "cockatiel";
import { Etcd3, isRecoverableError, type Namespace } from "etcd3";
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
  return {
    host: () => circuitBreaker(recoverable, { halfOpenAfter: 1000, breaker: new ConsecutiveBreaker(3) }),
    global: retry(recoverable, { maxAttempts: 2, backoff: new ExponentialBackoff({ initialDelay: 50, maxDelay: 500 }) }),
    // etcd3 types this as an IBackoff but calls `.next()` on it like the factory it defaults to.
    watchBackoff: new ExponentialBackoff({ initialDelay: 100, maxDelay: 2000 }) as unknown as IBackoff<unknown>,
  };
}

export function createEtcd(endpoints: string[], prefix: string): EtcdHandle {
  const client = new Etcd3({
    hosts: endpoints,
    dialTimeout: 3000,
    faultHandling: faultHandling(),
    // Keepalive pings tear down a connection that went silent (a peer that vanished without a FIN),
    // so watches and leases fail over instead of waiting on a dead socket.
    grpcOptions: {
      "grpc.keepalive_time_ms": 10_000,
      "grpc.keepalive_timeout_ms": 5_000,
      "grpc.keepalive_permit_without_calls": 1,
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
