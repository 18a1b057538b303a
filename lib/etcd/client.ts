import { Etcd3, type Namespace } from "etcd3";
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

export function createEtcd(endpoints: string[], prefix: string): EtcdHandle {
  const client = new Etcd3({ hosts: endpoints, dialTimeout: 3000 });
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
