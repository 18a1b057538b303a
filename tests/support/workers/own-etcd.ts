import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll } from "vitest";
import { startEtcd, type EtcdHandle } from "../../../scripts/lib/local-services";
import { createTestEnv, type TestEnv } from "../test-env";

export interface OwnEtcd {
  env: TestEnv;
  etcd: EtcdHandle;
}

/**
 * For a test file that kills, stops or hangs (SIGSTOP) etcd: its own etcd, never the shared one, and
 * a fresh database whose env talks to it. Registers the file's beforeAll and afterAll and returns the
 * pair, filled in once beforeAll has run; afterAll resumes a hung etcd so that it can stop.
 */
export function useOwnEtcd(label: string): OwnEtcd {
  const own = {} as OwnEtcd;
  let baseDir: string | undefined;
  beforeAll(async () => {
    baseDir = await mkdtemp(path.join(os.tmpdir(), `mizuflow-${label}-`));
    own.etcd = await startEtcd({ baseDir });
    own.env = await createTestEnv({ etcdEndpoints: own.etcd.endpoints });
  });
  afterAll(async () => {
    try {
      if (own.etcd?.pid) process.kill(own.etcd.pid, "SIGCONT");
    } catch {
      // Already gone (killed by the test): nothing to resume.
    }
    await own.env?.cleanup();
    await own.etcd?.stop();
    if (baseDir) await rm(baseDir, { recursive: true, force: true });
  });
  return own;
}
