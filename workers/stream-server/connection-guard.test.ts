import { createServer, type Server } from "node:http";
import { connect, type AddressInfo, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { ConnectionGuard } from "./connection-guard";

// Guarantee: connections that never send a request are capped once their grace period is over
// (the oldest go first); a client that sends its request in time is served amid them.

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
  for (let i = 0; i < 300 && !(await ok()); i++) await new Promise((r) => setTimeout(r, 10));
};

describe("ConnectionGuard", () => {
  it("keeps silent arrivals through their grace period, then trims to the cap, oldest first", async () => {
    const guard = new ConnectionGuard(5, 300);
    const port = await listen(guard);
    const first = await Promise.all(Array.from({ length: 20 }, () => open(port)));
    await until(async () => (await held()) === 20);
    expect(guard.closed).toBe(0); // all still in their grace period
    await until(async () => guard.closed === 15);
    expect(await held()).toBe(5);
    // The five kept are the newest of the twenty (connected last, so accepted last).
    await until(async () => first.filter((s) => s.readableEnded || s.destroyed).length === 15);
    expect(first.slice(15).every((s) => !s.readableEnded && !s.destroyed)).toBe(true);
  });

  it("serves a client that sends its request while silent connections flood in", async () => {
    const guard = new ConnectionGuard(5, 50);
    const port = await listen(guard);
    await Promise.all(Array.from({ length: 30 }, () => open(port)));
    const res = await fetch(`http://127.0.0.1:${port}/`);
    expect(await res.text()).toBe("ok");
  });
});
