import { expect, it } from "vitest";
import { DEFAULTS } from "../../scripts/lib/chaos/options";
import { runChaos } from "../../scripts/lib/chaos/run";

/*
 * Guarantees with a 3-member etcd cluster on loopback, two workers (one leader; each also serves SDK
 * streams) and SDK clients spread over both streams: killing the etcd LEADER under write load stalls
 * delivery by no more than ~2 s (worst commit-to-delivery time, over every client, of the changes
 * committed from 1 s before the kill to 3 s after the member's restart), and loses nothing (same
 * final checks as the chaos run: etcd equals MySQL, every client equals MySQL for its scope, no
 * version regression, nothing stuck in the outbox). The longer mode:
 * `node --import tsx scripts/chaos.ts --etcd-cluster 3 --faults etcd --set-only`.
 */
// The target is ~2 s. Measured on a busy 2-core box: typically 0.4-1.5 s per kill, rarely ~2.2 s;
// without the client-side call deadline (lib/etcd/client.ts) 5-12 s. The limit leaves room for
// scheduler jitter and still catches that regression.
const STALL_LIMIT_MS = 3_000;

it("3-member etcd cluster: killing the leader under load stalls streams < ~2 s and loses nothing", async () => {
  const summary = await runChaos({
    ...DEFAULTS,
    clients: 20,
    seconds: 12,
    flags: 16,
    envs: 2,
    seed: Number(process.env.CHAOS_SEED ?? 11),
    etcdMembers: 3,
    app: false,
    rate: 40,
    writerConcurrency: 3,
    clientProcs: 1,
    faults: ["etcd"],
    // Values only, so "delivered" is exact: a change is delivered when a client holds that version or newer.
    setOnly: true,
    gapMs: [1_500, 2_500],
    downMs: [500, 1_500],
    quiet: true,
  });
  console.log([...summary.report, ...summary.samples.map((s) => `  ! ${s}`)].join("\n"));
  expect(summary.samples).toEqual([]);
  expect(summary.violations).toBe(0);
  expect(summary.killsByKind.etcd ?? 0).toBeGreaterThanOrEqual(2);
  const measured = summary.stalls.filter((s) => s.commits > 0);
  expect(measured.length).toBeGreaterThanOrEqual(2);
  for (const s of measured) expect(s.maxDeliveryMs, `stall around the kill of ${s.target}`).toBeLessThan(STALL_LIMIT_MS);
}, 120_000);
