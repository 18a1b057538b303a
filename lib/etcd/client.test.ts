import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { waitFor } from "../../tests/support/test-env";
import { startEtcd, type EtcdHandle as EtcdProcess } from "../../scripts/lib/local-services";
import { createEtcd, ETCD_KEY_CALL_TIMEOUT_MS, type EtcdHandle } from "./client";
import { publishFenced, readKeyState, type PublishItem } from "./fence";

let etcd: EtcdProcess;
let handle: EtcdHandle;
let baseDir: string;
beforeAll(async () => {
  baseDir = await mkdtemp(path.join(os.tmpdir(), "mizuflow-etcd-deadline-"));
  etcd = await startEtcd({ baseDir });
  handle = createEtcd(etcd.endpoints, "/deadline-test/");
});
afterAll(async () => {
  if (etcd?.pid) process.kill(etcd.pid, "SIGCONT");
  handle?.client.close();
  await etcd?.stop();
  await rm(baseDir, { recursive: true, force: true });
});

const item = (version: number): PublishItem => ({
  op: "put",
  address: { environment: "production", namespace: "checkout", key: "a" },
  version,
  document: { namespace: "checkout", key: "a", type: "boolean", value: version % 2 === 0, version, updatedAt: new Date().toISOString() },
});

/*
 * Guarantee: a fenced publish to an etcd member that does not answer fails within the key-call
 * deadline instead of hanging (a member that lost its leader holds writes until etcd's own ~5 s
 * request timeout; a frozen one, until TCP keepalive gives up). The write path and the relay then
 * retry, which the fence makes safe, and an etcd leader change stalls delivery ~1 s, not 5. And a
 * timeout does not shut the member off for the calls that follow.
 */
it("a publish to a hung etcd fails within the call deadline, and succeeds once etcd answers again", async () => {
  expect(await publishFenced(handle.root, item(1))).toBe("applied");
  process.kill(etcd.pid!, "SIGSTOP");
  await waitFor(() => readFileSync(`/proc/${etcd.pid}/stat`, "utf8").split(") ")[1]?.startsWith("T"), "etcd to be stopped");
  const started = performance.now();
  try {
    await expect(publishFenced(handle.root, item(2))).rejects.toThrow();
    // etcd3 retries a timed-out call twice (on other members when there are any) with doubling
    // deadlines, 1 + 2 + 4 times the base at most; without a deadline it would hang until TCP
    // keepalive gives up (~15 s).
    expect(performance.now() - started).toBeLessThan(ETCD_KEY_CALL_TIMEOUT_MS * 7 + 1_500);
  } finally {
    process.kill(etcd.pid!, "SIGCONT");
  }
  // At once, no retry loop: timeouts mean "slow", so they did not open the host's circuit breaker
  // (which would refuse every call for a second, watches included). "stale" is fine: a timed-out
  // attempt may still have landed once etcd resumed, and the fence makes that harmless.
  expect(["applied", "stale"]).toContain(await publishFenced(handle.root, item(2)));
  expect((await readKeyState(handle.root, item(2).address)).version).toBe(2);
});
