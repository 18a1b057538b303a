import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readPresence } from "../../lib/delivery/presence/presence-reader";
import { createTestEnv, waitFor, type TestEnv } from "../../tests/support/test-env";
import { SDK_CLIENT_TTL_MS, startStreamServer, type StreamServer } from "./server";
import { newSdkKey, putFlag, seedScopes } from "../../tests/support/stream-server/fixtures";

/**
 * A client that vanishes without a `closed` report (its process is killed: no FIN handshake from
 * the SDK, no last report) stops counting within the stated bound: SDK_CLIENT_TTL_MS (25 s) after
 * its last report, plus the 2 s presence publish tick and slack for a loaded machine. It used to
 * count for 90 s. A live client is not dropped meanwhile: its 10 s heartbeat keeps it counted.
 */
const BOUND_MS = SDK_CLIENT_TTL_MS + 2_000 + 3_000;
let env: TestEnv;
let server: StreamServer;
const children: ChildProcess[] = [];

beforeAll(async () => {
  env = await createTestEnv();
  await seedScopes(env.db, { environments: ["prod"], namespaces: ["web"] });
  await putFlag(env.etcd.root, { environment: "prod", namespace: "web", key: "banner" }, 1, true);
  server = await startStreamServer({ db: env.db, root: env.etcd.root });
});

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  await server?.close();
  await env?.cleanup();
});

function startClient(key: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", path.join(import.meta.dirname, "../../tests/support/stream-server/sdk-child.ts")], {
    env: { ...process.env, MIZUFLOW_URL: `http://127.0.0.1:${server.port}`, MIZUFLOW_SDK_KEY: key },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (c: Buffer) => {
      out += c.toString();
      if (out.includes("ready")) resolve(child);
    });
    child.stderr!.on("data", (c: Buffer) => (out += c.toString()));
    child.once("exit", (code) => reject(new Error(`the SDK process exited (${code}) before it was ready:\n${out}`)));
  });
}

const counted = async () => (await readPresence(env.etcd.root)).countFor("prod", "web", 0).total;

describe("a client that drops uncleanly", () => {
  it(`guarantee: a killed SDK process stops counting within ${BOUND_MS / 1000} s, while a live one keeps counting`, async () => {
    const { key } = await newSdkKey(env.db, "prod", ["web"]);
    const doomed = await startClient(key);
    await startClient(key);
    await waitFor(async () => (await counted()) === 2, "both clients counted", 20_000, 100);

    const killedAt = Date.now();
    doomed.kill("SIGKILL");
    await waitFor(async () => (await counted()) === 1, "the killed client to stop counting", BOUND_MS + 10_000, 250);
    const gone = Date.now() - killedAt;
    console.log(`killed SDK process stopped counting after ${gone} ms (bound ${BOUND_MS} ms; 90,000 ms before)`);
    expect(gone).toBeLessThanOrEqual(BOUND_MS);
    // The live client has reported on its heartbeat all along, so it still counts.
    expect(await counted()).toBe(1);
  }, 90_000);
});
