/**
 * A slice of a fleet for tests/hostile/fleet-admission.test.ts: `count` instances of the project SDK
 * (Node entry: eventsource v4, key in the Authorization header) in one process, as separate service
 * instances would run them, all connecting from 127.0.0.1. Driven over IPC:
 *
 * - `{cmd:"start", url, sdkKey, count}` → `{type:"ready", statuses}` once every client is live;
 * - `{cmd:"await", revision, namespace, key, value}` → `{type:"reached", statuses}` once every
 *   client holds that revision and value;
 * - `{cmd:"close"}` closes the clients and exits.
 *
 * `statuses` counts the HTTP statuses of every stream request these clients made (a 429 anywhere
 * fails the test); `cpuMs` is this process's CPU time so far (clients cost CPU too, on the same
 * cores as the server).
 */
import { createClient, type MizuFlowClient } from "../../../sdk/src/node";
import type { FetchFn } from "../../../sdk/src/sse-fetch";

type Command =
  | { cmd: "start"; url: string; sdkKey: string; count: number }
  | { cmd: "await"; revision: number; namespace: string; key: string; value: number }
  | { cmd: "close" };

const clients: MizuFlowClient[] = [];
const statuses: Record<string, number> = {};
const silent = { warn: () => {}, error: () => {} };

const observingFetch: FetchFn = async (input, init) => {
  const res = await globalThis.fetch(input, init);
  statuses[res.status] = (statuses[res.status] ?? 0) + 1;
  return res;
};

const send = (msg: Record<string, unknown>) => {
  const cpu = process.cpuUsage();
  process.send!({ ...msg, statuses, cpuMs: Math.round((cpu.user + cpu.system) / 1000) });
};

async function until(done: () => boolean): Promise<void> {
  while (!done()) await new Promise((r) => setTimeout(r, 25));
}

process.on("message", (msg: Command) => {
  void (async () => {
    if (msg.cmd === "start") {
      for (let i = 0; i < msg.count; i++) clients.push(createClient({ url: msg.url, sdkKey: msg.sdkKey, fetch: observingFetch, logger: silent }));
      // Bounded below the test's own timeout, so a fleet that cannot get in fails with how far it
      // got and what the server answered instead of a bare timeout.
      let live = 0;
      const all = Promise.all(clients.map((c) => c.ready({ live: true }).then(() => void live++)));
      const deadline = new Promise<"late">((r) => setTimeout(() => r("late"), 120_000).unref());
      if ((await Promise.race([all, deadline])) === "late") {
        send({ type: "error", message: `only ${live} of ${clients.length} clients live after 120 s; stream statuses ${JSON.stringify(statuses)}` });
        return;
      }
      send({ type: "ready" });
    } else if (msg.cmd === "await") {
      // Revisions first (a field read), values once they are all there: polling must not cost
      // the clients' process the CPU that their reconnects need.
      await until(() => clients.every((c) => c.revision >= msg.revision) && clients.every((c) => c.getNumber(msg.namespace, msg.key, -1) === msg.value));
      send({ type: "reached" });
    } else {
      await Promise.all(clients.map((c) => c.close()));
      process.exit(0);
    }
  })().catch((err: unknown) => {
    send({ type: "error", message: String(err) });
  });
});
process.on("disconnect", () => process.exit(0));
send({ type: "hello" });
