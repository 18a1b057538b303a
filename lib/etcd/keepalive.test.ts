import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEtcd, type EtcdHandle } from "../../scripts/lib/local-services";
import { createEtcd, type EtcdHandle as Client } from "./client";

// etcd refuses keepalive pings on connections without an active stream (grpc-go
// PermitWithoutStream=false): three of them and it closes the connection with GOAWAY
// too_many_pings, which grpc-js reports through its logger. Our client must never provoke that.
let base: string;
let etcd: EtcdHandle;
let client: Client;
const grpcErrors: string[] = [];

beforeAll(async () => {
  base = await mkdtemp(path.join(os.tmpdir(), "mf-keepalive-"));
  etcd = await startEtcd({ baseDir: base });
  grpc.setLogger({ error: (...a: unknown[]) => grpcErrors.push(a.join(" ")), info: () => {}, debug: () => {} } as unknown as Partial<Console>);
  grpc.setLogVerbosity(grpc.logVerbosity.ERROR);
  client = createEtcd(etcd.endpoints, "/keepalive/");
});
afterAll(async () => {
  client?.client.close();
  await etcd?.stop();
  await rm(base, { recursive: true, force: true });
});

describe("etcd client keepalive", () => {
  it("an idle connection is not closed by etcd for excess pings (and the next call just works)", async () => {
    await client.root.put("k").value("1");
    await new Promise((r) => setTimeout(r, 44_000)); // etcd closes at the 4th idle ping (~40 s)
    expect(await client.root.get("k").string()).toBe("1");
    expect(grpcErrors.filter((e) => /excess pings|too_many_pings/.test(e))).toEqual([]);
  }, 60_000);
});
