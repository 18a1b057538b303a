/** Single-member etcd (startEtcd) and N-member loopback clusters (startEtcdCluster). */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import { ensureBinaries } from './binaries';
import { assertEtcdName, createEtcdMember, etcdPeerServing, makeEtcdHandle, type EtcdMemberPlan } from './etcd-member';
import { StartupError } from './managed-process';
import { AUTO_PORT_ATTEMPTS, freePort, startWithPortRetry } from './ports';
import { sleep } from './sleep';
import type { EtcdHandle } from './types';

const ETCD_STOP_PAUSE_MS = 150; // > --election-timeout 100

/**
 * Starts a single-member etcd on 127.0.0.1. Data lives in `<baseDir>/etcd-<name>/data` (name defaults
 * to "default"); an existing data dir is reused.
 */
export async function startEtcd(opts: { baseDir: string; port?: number; peerPort?: number; name?: string }): Promise<EtcdHandle> {
  await ensureBinaries({ etcd: true });
  const name = opts.name ?? 'default';
  assertEtcdName(name);
  const plan: EtcdMemberPlan = {
    name,
    port: opts.port ?? (await freePort()),
    peerPort: opts.peerPort ?? (await freePort()),
  };
  const token = `mizuflow-${randomBytes(6).toString('hex')}`;
  const member = createEtcdMember(
    opts.baseDir,
    () => plan,
    () => ({ initialCluster: `${name}=http://127.0.0.1:${plan.peerPort}`, token }),
  );
  await fs.mkdir(member.instanceDir, { recursive: true });
  const auto = opts.port === undefined || opts.peerPort === undefined;
  await startWithPortRetry(auto, async (attempt) => {
    if (attempt > 0) {
      if (opts.port === undefined) plan.port = await freePort();
      if (opts.peerPort === undefined) plan.peerPort = await freePort();
      member.refreshSpec();
    }
    await member.proc.start();
  });
  return makeEtcdHandle(member.proc, member.dataDir, plan.port);
}

/**
 * Starts an N-member loopback etcd cluster (members m0..m{N-1} under `<baseDir>/etcd-mK`), all members
 * launched concurrently (each needs quorum to report healthy).
 */
export async function startEtcdCluster(opts: {
  baseDir: string;
  size: number;
}): Promise<{ members: EtcdHandle[]; endpoints: string[]; stopAll(): Promise<void> }> {
  if (!Number.isInteger(opts.size) || opts.size < 1) throw new Error(`cluster size must be a positive integer, got ${opts.size}`);
  await ensureBinaries({ etcd: true });
  const token = `mizuflow-cluster-${randomBytes(6).toString('hex')}`;

  for (let attempt = 0; ; attempt++) {
    const plans: EtcdMemberPlan[] = [];
    for (let i = 0; i < opts.size; i++) plans.push({ name: `m${i}`, port: await freePort(), peerPort: await freePort() });
    const initialCluster = plans.map((p) => `${p.name}=http://127.0.0.1:${p.peerPort}`).join(',');
    const members = plans.map((plan) => createEtcdMember(opts.baseDir, () => plan, () => ({ initialCluster, token })));
    // A retry must start from scratch (a half-bootstrapped member would remember the old peers).
    for (const m of members) {
      await fs.rm(m.dataDir, { recursive: true, force: true });
      await fs.mkdir(m.instanceDir, { recursive: true });
    }
    // As soon as one member fails, kill the others so they don't wait for quorum until the timeout.
    let firstFailure: unknown;
    let failed = false;
    const starts: Promise<void>[] = [];
    for (let i = 0; i < members.length && !failed; i++) {
      const m = members[i]!;
      let settled = false;
      const started = m.proc.start().then(
        () => {
          settled = true;
        },
        async (err: unknown) => {
          settled = true;
          if (!failed) {
            failed = true;
            firstFailure = err;
            await Promise.all(members.map((other) => other.proc.kill()));
          }
        },
      );
      starts.push(started);
      // Stagger: a new member asks every peer for the cluster state during bootstrap, and a peer whose
      // port is bound but not yet serving makes it wait a full second (etcd's bootstrap timeout).
      // Waiting until this member serves peer traffic before spawning the next keeps startup ~0.1 s.
      if (i + 1 < members.length) {
        const deadline = Date.now() + 5_000;
        while (!settled && Date.now() < deadline && !(await etcdPeerServing(plans[i]!.peerPort))) await sleep(5);
      }
    }
    await Promise.all(starts);
    if (!failed) {
      const handles = members.map((m, i) => makeEtcdHandle(m.proc, m.dataDir, plans[i]!.port));
      const endpoints = handles.flatMap((h) => h.endpoints);
      return {
        members: handles,
        endpoints,
        // Sequential with a pause on purpose: an etcd leader that receives SIGTERM first tries to hand
        // leadership to its "longest connected" peer and waits up to ~5 s if that peer is itself gone
        // (e.g. stopping concurrently, or stopped a moment ago and not yet seen as inactive). After a
        // pause longer than the election timeout, dead peers are marked inactive and a leader without
        // quorum has stepped down, so every stop takes a few ms.
        stopAll: async () => {
          let stoppedOne = false;
          for (const h of handles) {
            if (h.pid === undefined) continue;
            if (stoppedOne) await sleep(ETCD_STOP_PAUSE_MS);
            await h.stop();
            stoppedOne = true;
          }
        },
      };
    }
    await Promise.all(members.map((m) => m.proc.kill()));
    const retryable = firstFailure instanceof StartupError && firstFailure.addressInUse;
    if (!retryable || attempt + 1 >= AUTO_PORT_ATTEMPTS) throw firstFailure;
  }
}
