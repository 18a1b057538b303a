import { Etcd3 } from "etcd3";
import type { EtcdHandle as EtcdServiceHandle } from "../local-services";
import { startEtcd, startEtcdCluster, startMariaDb, type MariaDbHandle } from "../local-services";

/** etcd for the run: one member, or an N-member loopback cluster whose leader can be found and killed. */
export interface ChaosEtcd {
  endpoints: string[];
  members: EtcdServiceHandle[];
  /** The member to kill for an "etcd" fault: the only one, or the cluster's current leader. */
  victim(): Promise<{ member: EtcdServiceHandle; name: string }>;
  stopAll(): Promise<void>;
}

export async function startChaosEtcd(baseDir: string, size: number): Promise<ChaosEtcd> {
  if (size <= 1) {
    const one = await startEtcd({ baseDir });
    return { endpoints: one.endpoints, members: [one], victim: async () => ({ member: one, name: "etcd" }), stopAll: () => one.stop() };
  }
  const cluster = await startEtcdCluster({ baseDir, size });
  return {
    endpoints: cluster.endpoints,
    members: cluster.members,
    victim: async () => {
      const found = await findLeader(cluster.members);
      return { member: found.member, name: `etcd leader m${found.index}` };
    },
    stopAll: () => cluster.stopAll(),
  };
}

/**
 * The cluster's leader: ask a live member for its status (leader id), map the id to a client URL
 * with the member list, and that URL's port to our handle.
 */
export async function findLeader(members: EtcdServiceHandle[]): Promise<{ member: EtcdServiceHandle; index: number }> {
  const live = members.filter((m) => m.pid !== undefined);
  const client = new Etcd3({ hosts: live.flatMap((m) => m.endpoints), dialTimeout: 1000 });
  try {
    for (let attempt = 0; attempt < 50; attempt++) {
      try {
        const status = await client.maintenance.status();
        if (status.leader !== "0") {
          const list = await client.cluster.memberList({});
          const leader = list.members.find((m) => m.ID === status.leader);
          const port = leader?.clientURLs[0] ? Number(new URL(leader.clientURLs[0]).port) : NaN;
          const index = members.findIndex((m) => m.port === port);
          if (index >= 0) return { member: members[index]!, index };
        }
      } catch {
        // a member in the middle of an election; ask again
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error("no etcd leader found");
  } finally {
    client.close();
  }
}

export async function startChaosMariaDb(baseDir: string): Promise<MariaDbHandle> {
  return startMariaDb({ baseDir, database: "mizuflow_chaos" });
}
