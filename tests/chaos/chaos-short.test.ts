import { expect, it } from "vitest";
import { DEFAULTS } from "../../scripts/lib/chaos/options";
import { runChaos } from "../../scripts/lib/chaos/run";

/*
 * Guarantees (docs/ARCHITECTURE.md invariants 1, 3 and 4) under kill -9 of the leader worker, the standby
 * worker (each also serves SDK streams), etcd and the writer, at seeded random times while changes
 * are being committed: every committed change reaches etcd and every SDK client in scope; per key no
 * client ever sees a version go backwards; after the relay drains and one reconcile pass etcd equals
 * MySQL and every client's state equals MySQL for its scope; no outbox row is left pending or dead.
 * The long version is `node --import tsx scripts/chaos.ts` (200 clients, 60 s, the app included).
 */
it("short chaos run: kills of every kind, zero violations", async () => {
  const summary = await runChaos({
    ...DEFAULTS,
    clients: 20,
    seconds: 12,
    flags: 16,
    envs: 2,
    seed: Number(process.env.CHAOS_SEED ?? 7),
    app: false,
    rate: 50,
    writerConcurrency: 4,
    clientProcs: 1,
    faults: ["leader", "standby", "etcd", "writer"],
    gapMs: [300, 1_500],
    downMs: [200, 1_000],
    quiet: true,
  });
  console.log([...summary.report, ...summary.samples.map((s) => `  ! ${s}`)].join("\n"));
  expect(summary.samples).toEqual([]);
  expect({ lost: summary.lost, regressions: summary.regressions, drift: summary.drift, stuck: summary.stuck, violations: summary.violations }).toEqual({
    lost: 0,
    regressions: 0,
    drift: 0,
    stuck: 0,
    violations: 0,
  });
  // It did what it says: real load, and kills of every kind (how many depends on restart times).
  expect(summary.mutations).toBeGreaterThan(50);
  expect(summary.kills).toBeGreaterThanOrEqual(5);
  for (const kind of ["leader", "standby", "etcd", "writer"] as const) expect(summary.killsByKind[kind] ?? 0, `${kind} kills`).toBeGreaterThanOrEqual(1);
}, 120_000);
