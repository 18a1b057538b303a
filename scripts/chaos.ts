/**
 * Chaos run (bounded in time, loopback only): MariaDB + etcd (or a 3-member cluster with
 * --etcd-cluster 3), two workers that each serve the SDK stream, the app when a build exists, N SDK
 * clients and a writer; kill -9 and restart workers (leader and standby), etcd, the app and the
 * writer at seeded random times; then drain, reconcile once and check that nothing was lost,
 * regressed, drifted or got stuck. Prints `mutations=… kills=… lost=0 regressions=0 drift=0 stuck=0`
 * and exits 1 on any violation.
 *
 *   node --import tsx scripts/chaos.ts [--clients 200] [--seconds 60] [--flags 50] [--envs 2] [--seed N]
 */
import { parseArgs } from "./lib/chaos/options";
import { runChaos } from "./lib/chaos/run";

let options;
try {
  options = parseArgs(process.argv.slice(2));
} catch (err) {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(2);
}
const summary = await runChaos(options);
for (const line of summary.report) console.log(line);
for (const s of summary.samples) console.log(`  ! ${s}`);
console.log(summary.violations === 0 ? "OK: no violations" : `FAILED: ${summary.violations} violation(s)`);
process.exit(summary.violations === 0 ? 0 : 1);
