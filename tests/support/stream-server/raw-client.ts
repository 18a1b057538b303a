import net from "node:net";

/** A raw TCP client of an HTTP server: sends exactly the bytes a test (or an attacker) chooses. */
export interface RawClient {
  socket: net.Socket;
  /** Everything the server sent so far. */
  received(): string;
  /** Resolves when the server closed (or reset) the connection, with the ms since connecting. */
  closed: Promise<number>;
  isClosed(): boolean;
  write(data: string): void;
  /** Writes one byte of `data` every `everyMs` until the data or the connection ends. */
  trickle(data: string, everyMs: number): void;
  destroy(): void;
}

export function connectRaw(port: number, host = "127.0.0.1"): Promise<RawClient> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = net.connect({ port, host });
    let text = "";
    let isClosed = false;
    let timer: NodeJS.Timeout | undefined;
    const closed = new Promise<number>((r) =>
      socket.once("close", () => {
        isClosed = true;
        clearInterval(timer);
        r(Date.now() - started);
      }),
    );
    socket.setEncoding("latin1");
    socket.on("data", (chunk: string) => (text += chunk));
    socket.once("connect", () => {
      socket.off("error", reject);
      socket.on("error", () => {}); // a reset is a close, which the test observes
      resolve({
        socket,
        received: () => text,
        closed,
        isClosed: () => isClosed,
        write: (data) => void (socket.writable && socket.write(data)),
        trickle(data, everyMs) {
          let i = 0;
          timer = setInterval(() => {
            if (i >= data.length || !socket.writable) return clearInterval(timer);
            socket.write(data[i++]!);
          }, everyMs);
          timer.unref();
        },
        destroy: () => socket.destroy(),
      });
    });
    socket.once("error", reject);
  });
}
