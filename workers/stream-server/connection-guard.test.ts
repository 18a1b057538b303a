import { createServer, type Server } from "node:http";
import { connect, type AddressInfo, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { ConnectionGuard } from "./connection-guard";

// Guarantee: connections that never send a request are capped; the grace period that protects new
// arrivals cannot stretch the cap past its ceiling, however many arrive at once; a client that
// sends its request in time is served even amid such arrivals.

let server: Server;
const clients: Socket[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  await new Promise((r) => server?.close(r));
});

async function listen(guard: ConnectionGuard): Promise<number> {
  server = createServer((_req, res) => res.end("ok"));
  guard.attach(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return (server.address() as AddressInfo).port;
}

const open = (port: number) =>
  new Promise<Socket>((resolve, reject) => {
    const s = connect(port, "127.0.0.1", () => resolve(s));
    s.on("error", () => {});
    s.once("error", reject);
    clients.push(s);
  });
const held = () => new Promise<number>((r) => server.getConnections((_e, n) => r(n)));
const until = async (ok: () => Promise<boolean>) => {
  for (let i = 0; i < 200 && !(await ok()); i++) await new Promise((r) => setTimeout(r, 10));
};

describe("ConnectionGuard", () => {
  it("keeps silent arrivals within the grace period up to the ceiling, never past it", async () => {
    // A grace far longer than the test: only the ceiling can close anything here.
    const guard = new ConnectionGuard(5, 60_000, 12);
    const port = await listen(guard);
    await Promise.all(Array.from({ length: 40 }, () => open(port)));
    await until(async () => guard.closed >= 28);
    expect(guard.closed).toBe(28);
    expect(await held()).toBe(12);
  });

  it("serves a client that sends its request while silent connections flood in", async () => {
    const guard = new ConnectionGuard(5, 60_000, 12);
    const port = await listen(guard);
    await Promise.all(Array.from({ length: 20 }, () => open(port)));
    const res = await fetch(`http://127.0.0.1:${port}/`);
    expect(await res.text()).toBe("ok");
    await Promise.all(Array.from({ length: 20 }, () => open(port)));
    expect(await held()).toBeLessThanOrEqual(12);
  });

  it("refuses a ceiling below the cap", () => {
    expect(() => new ConnectionGuard(10, 500, 5)).toThrow(/ceiling/);
  });
});
