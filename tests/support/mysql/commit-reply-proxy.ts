import net from "node:net";

/**
 * A TCP proxy in front of a real MariaDB that can lose what happens around COMMIT, the way a
 * process pause or a dropped connection does, deterministically:
 * - "swallow-reply": COMMIT reaches the server (it commits); its reply never reaches the client.
 * - "drop-commit": COMMIT never reaches the server; both sides of that connection are closed (the
 *   server rolls the transaction back).
 * - stall(): nothing answers on any connection, old or new, as when the database is frozen.
 * Everything else passes through unchanged. Recognises COMMIT as a COM_QUERY packet whose text
 * starts with "commit" (drizzle sends `commit`; mysql2 sends `COMMIT`).
 */
export interface CommitReplyProxy {
  url: string;
  /** What the next COMMIT meets (once), then back to passing through. */
  arm(mode: "swallow-reply" | "drop-commit"): void;
  stall(on: boolean): void;
  close(): Promise<void>;
}

export async function startCommitReplyProxy(targetUrl: string): Promise<CommitReplyProxy> {
  const target = new URL(targetUrl);
  let armed: "swallow-reply" | "drop-commit" | null = null;
  let stalled = false;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    sockets.add(client);
    client.on("close", () => sockets.delete(client));
    client.on("error", () => {});
    if (stalled) return; // accept and never answer
    const upstream = net.connect(Number(target.port || 3306), target.hostname);
    sockets.add(upstream);
    upstream.on("close", () => sockets.delete(upstream));
    upstream.on("error", () => client.destroy());
    client.on("error", () => upstream.destroy());
    let mute = false;
    client.on("data", (chunk) => {
      if (stalled) return;
      if (armed && isCommit(chunk)) {
        const mode = armed;
        armed = null;
        if (mode === "drop-commit") {
          client.destroy();
          upstream.destroy();
          return;
        }
        mute = true;
      }
      upstream.write(chunk);
    });
    upstream.on("data", (chunk) => {
      if (!mute && !stalled) client.write(chunk);
    });
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = new URL(targetUrl);
  url.hostname = "127.0.0.1";
  url.port = String((server.address() as net.AddressInfo).port);
  return {
    url: url.toString(),
    arm: (mode) => (armed = mode),
    stall: (on) => (stalled = on),
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}

function isCommit(chunk: Buffer): boolean {
  // Packet: 3-byte length, 1-byte sequence, then the command byte (0x03 = COM_QUERY) and the text.
  return chunk.length >= 11 && chunk[4] === 0x03 && chunk.subarray(5, 11).toString("latin1").toLowerCase() === "commit";
}
