/** One etcd member process: readiness/peer probes, hermetic env, spec builder and handle. */
import * as http from 'node:http';
import * as path from 'node:path';
import { requireBinary } from './binaries';
import { ManagedProcess, type ProcessSpec } from './managed-process';
import { sleep } from './sleep';
import type { EtcdHandle } from './types';

const ETCD_START_TIMEOUT_MS = 30_000;

function etcdHealthy(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/health', agent: false, timeout: 1_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        try {
          const parsed = JSON.parse(body) as { health?: unknown };
          resolve(parsed.health === 'true' || parsed.health === true);
        } catch {
          resolve(false);
        }
      });
      res.on('error', () => resolve(false));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve(false));
  });
}

/** True once the member answers HTTP on its peer URL (GET /members), i.e. it is past bootstrap. */
export function etcdPeerServing(peerPort: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port: peerPort, path: '/members', agent: false, timeout: 200 }, (res) => {
      res.resume();
      res.on('end', () => resolve(true));
      res.on('error', () => resolve(true));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve(false));
  });
}

async function waitForEtcd(port: number, isCancelled: () => boolean): Promise<void> {
  while (!isCancelled()) {
    if (await etcdHealthy(port)) return;
    await sleep(10);
  }
  throw new Error('cancelled');
}

function etcdEnv(): NodeJS.ProcessEnv {
  // etcd reads ETCD_* variables as flags; keep the child hermetic.
  const env = {} as NodeJS.ProcessEnv; // Next's types make NODE_ENV required; it is copied below
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('ETCD_') && !k.startsWith('ETCDCTL_')) env[k] = v;
  }
  return env;
}

export interface EtcdMemberPlan {
  name: string;
  port: number;
  peerPort: number;
}

export function assertEtcdName(name: string): void {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(name)) throw new Error(`etcd member name must match /^[A-Za-z0-9_-]{1,64}$/, got ${JSON.stringify(name)}`);
}

export function createEtcdMember(
  baseDir: string,
  getPlan: () => EtcdMemberPlan,
  getCluster: () => { initialCluster: string; token: string },
): { proc: ManagedProcess; dataDir: string; instanceDir: string; refreshSpec: () => void } {
  const etcd = requireBinary('etcd');
  const name = getPlan().name;
  const instanceDir = path.resolve(baseDir, `etcd-${name}`);
  const dataDir = path.join(instanceDir, 'data');
  const makeSpec = (): ProcessSpec => {
    const { port, peerPort } = getPlan();
    const { initialCluster, token } = getCluster();
    const client = `http://127.0.0.1:${port}`;
    const peer = `http://127.0.0.1:${peerPort}`;
    return {
      label: `etcd ${name} (client ${port}, peer ${peerPort}, data ${dataDir})`,
      command: etcd,
      args: [
        '--name', name,
        '--data-dir', dataDir,
        '--listen-client-urls', client,
        '--advertise-client-urls', client,
        '--listen-peer-urls', peer,
        '--initial-advertise-peer-urls', peer,
        '--initial-cluster', initialCluster,
        '--initial-cluster-state', 'new',
        '--initial-cluster-token', token,
        '--heartbeat-interval', '10',
        '--election-timeout', '100',
        '--logger', 'zap',
        '--log-level', 'error',
      ],
      env: etcdEnv(),
      cwd: instanceDir,
      stdioLog: path.join(instanceDir, 'etcd.log'),
      extraLogs: [],
      startTimeoutMs: ETCD_START_TIMEOUT_MS,
      waitReady: (isCancelled) => waitForEtcd(port, isCancelled),
    };
  };
  const proc = new ManagedProcess(makeSpec());
  return { proc, dataDir, instanceDir, refreshSpec: () => proc.setSpec(makeSpec()) };
}

export function makeEtcdHandle(proc: ManagedProcess, dataDir: string, port: number): EtcdHandle {
  return {
    dataDir,
    port,
    endpoints: [`http://127.0.0.1:${port}`],
    get pid() {
      return proc.pid;
    },
    stop: () => proc.stop(),
    kill: () => proc.kill(),
    restart: () => proc.restart(),
  };
}
