import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import mysql from 'mysql2/promise';
import { Etcd3 } from 'etcd3';
import {
  ensureBinaries,
  freePort,
  startEtcd,
  startEtcdCluster,
  startMariaDb,
  type EtcdHandle,
  type MariaDbHandle,
} from './local-services';

async function timed<T>(label: string, fn: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  const result = await fn();
  console.log(`[local-services] ${label}: ${((performance.now() - t0) / 1000).toFixed(3)} s`);
  return result;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function status(member: EtcdHandle): Promise<{ leader: string; header: { member_id: string } }> {
  const c = new Etcd3({ hosts: member.endpoints });
  try {
    return await c.maintenance.status();
  } finally {
    c.close();
  }
}
async function memberId(member: EtcdHandle): Promise<string> {
  return (await status(member)).header.member_id;
}
async function findLeader(members: EtcdHandle[]): Promise<number> {
  for (let i = 0; i < members.length; i++) {
    const s = await status(members[i]!);
    if (s.leader === s.header.member_id) return i;
  }
  throw new Error('no leader');
}
async function waitForNewLeader(member: EtcdHandle, deadId: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      const s = await status(member);
      if (s.leader !== '0' && s.leader !== deadId) return;
    } catch {
      // no leader yet
    }
    if (Date.now() > deadline) throw new Error('no new leader elected');
    await new Promise((r) => setTimeout(r, 20));
  }
}

let baseDir: string;

beforeAll(async () => {
  baseDir = await mkdtemp(path.join(os.tmpdir(), 'mizuflow-local-services-'));
  await ensureBinaries({ mariadb: true, etcd: true });
}, 600_000);

afterAll(async () => {
  if (baseDir) await rm(baseDir, { recursive: true, force: true });
});

describe('freePort', () => {
  it('returns distinct usable ports', async () => {
    const a = await freePort();
    const b = await freePort();
    expect(a).toBeGreaterThan(0);
    expect(b).not.toBe(a);
  });
});

describe('MariaDB', () => {
  let db: MariaDbHandle | undefined;
  afterAll(async () => {
    await db?.stop();
  });

  it('stores utf8mb4 data that survives kill() + restart()', async () => {
    // First start may have to build the template (~2 s); the second one shows the steady-state cost.
    const warm = await timed('MariaDB first start (may build template)', () =>
      startMariaDb({ baseDir: path.join(baseDir, 'warm') }),
    );
    await warm.stop();
    db = await timed('MariaDB start from template', () =>
      startMariaDb({ baseDir: path.join(baseDir, 'db'), database: 'lstest' }),
    );
    expect(db.url).toBe(`mysql://root@127.0.0.1:${db.port}/lstest`);
    expect(db.pid).toBeTypeOf('number');

    const query = async <T>(sql: string, params: unknown[] = []): Promise<T> => {
      const conn = await mysql.createConnection({ uri: db!.url, charset: 'utf8mb4' });
      try {
        const [rows] = await conn.query(sql, params);
        return rows as T;
      } finally {
        await conn.end();
      }
    };

    await query(
      'CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(64)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci',
    );
    const emoji = 'flag 🚩 水 🎌';
    await query('INSERT INTO t (id, v) VALUES (?, ?)', [1, emoji]);
    expect(await query<Array<{ v: string }>>('SELECT v FROM t WHERE id = 1')).toEqual([{ v: emoji }]);

    const oldPid = db.pid!;
    await db.kill();
    expect(db.pid).toBeUndefined();
    expect(isAlive(oldPid)).toBe(false);

    await timed('MariaDB restart after kill (crash recovery)', () => db!.restart());
    expect(db.pid).toBeTypeOf('number');
    expect(await query<Array<{ v: string }>>('SELECT v FROM t WHERE id = 1')).toEqual([{ v: emoji }]);

    const pid = db.pid!;
    await timed('MariaDB graceful stop', () => db!.stop());
    expect(isAlive(pid)).toBe(false);
    await db.stop(); // idempotent
  }, 120_000);
});

describe('etcd', () => {
  let etcd: EtcdHandle | undefined;
  let client: Etcd3 | undefined;
  afterAll(async () => {
    client?.close();
    await etcd?.stop();
  });

  it('single member survives kill() + restart()', async () => {
    etcd = await timed('etcd single-member start', () => startEtcd({ baseDir }));
    expect(etcd.endpoints).toEqual([`http://127.0.0.1:${etcd.port}`]);
    client = new Etcd3({ hosts: etcd.endpoints });
    await client.put('mizuflow/test').value('hello 🚩');
    expect(await client.get('mizuflow/test').string()).toBe('hello 🚩');
    client.close();

    const oldPid = etcd.pid!;
    await etcd.kill();
    expect(isAlive(oldPid)).toBe(false);
    await timed('etcd restart after kill', () => etcd!.restart());

    client = new Etcd3({ hosts: etcd.endpoints });
    expect(await client.get('mizuflow/test').string()).toBe('hello 🚩');
  }, 60_000);
});

describe('etcd cluster', () => {
  it('3-member cluster keeps serving after one member is killed', async () => {
    const cluster = await timed('etcd 3-member cluster start', () =>
      startEtcdCluster({ baseDir: path.join(baseDir, 'cluster'), size: 3 }),
    );
    const client = new Etcd3({ hosts: cluster.endpoints });
    try {
      expect(cluster.members).toHaveLength(3);
      expect(cluster.endpoints).toHaveLength(3);
      await client.put('k').value('v1');
      expect(await client.get('k').string()).toBe('v1');

      // Kill the leader (the harsher case). Gotcha: a write that reaches a follower in the ~0.1-0.2 s
      // before a new leader is elected is forwarded to the dead leader and only fails after etcd's
      // ~5.2 s request timeout, so wait for the re-election before writing.
      const leaderIdx = await findLeader(cluster.members);
      const deadId = await memberId(cluster.members[leaderIdx]!);
      await cluster.members[leaderIdx]!.kill();
      const survivor = cluster.members[(leaderIdx + 1) % 3]!;
      await timed('etcd re-election after leader kill', () => waitForNewLeader(survivor, deadId));
      await client.put('k').value('v2');
      expect(await client.get('k').string()).toBe('v2');

      await timed('etcd cluster member restart', () => cluster.members[leaderIdx]!.restart());
      const single = new Etcd3({ hosts: cluster.members[leaderIdx]!.endpoints });
      try {
        // linearizable read through the restarted member
        expect(await single.get('k').string()).toBe('v2');
      } finally {
        single.close();
      }
    } finally {
      client.close();
      await cluster.stopAll();
    }
    for (const m of cluster.members) expect(m.pid).toBeUndefined();
  }, 60_000);
});
