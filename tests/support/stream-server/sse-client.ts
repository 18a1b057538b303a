import http from "node:http";
import { SseParser, type SseMessage } from "./sse-parser";

export interface SseConnection {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** Complete messages so far, heartbeats included, in arrival order (with arrival time). */
  messages: (SseMessage & { at: number; parsed?: unknown })[];
  /** Parsed data of the named events (snapshot, put, delete) in order. */
  events(): { event: string; id: number; data: any; at: number }[];
  /** Resolves when the server closed the stream. */
  ended: Promise<void>;
  isEnded(): boolean;
  /** The raw body when the server answered without a stream (status != 200). */
  body(): string;
  waitFor<T>(pick: (c: SseConnection) => T | undefined | null | false, what: string, timeoutMs?: number): Promise<T>;
  close(): void;
}

/** Opens a raw SSE request with node:http (the protocol under test, without any client library). */
export function openSse(url: string, headers: Record<string, string> = {}): Promise<SseConnection> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers: { accept: "text/event-stream", ...headers }, agent: false }, (res) => {
      const parser = new SseParser();
      const messages: SseConnection["messages"] = [];
      let raw = "";
      let ended = false;
      const endedP = new Promise<void>((r) => {
        res.on("close", () => {
          ended = true;
          r();
        });
      });
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        const at = Date.now();
        if (res.statusCode !== 200) raw += chunk;
        else {
          for (const m of parser.feed(chunk)) {
            messages.push({ ...m, at, parsed: m.comment === null && m.data !== "" ? JSON.parse(m.data) : undefined });
          }
        }
      });
      res.on("error", () => {});
      const conn: SseConnection = {
        status: res.statusCode ?? 0,
        headers: res.headers,
        messages,
        events: () =>
          messages
            .filter((m) => m.parsed !== undefined)
            .map((m) => ({ event: m.event, id: Number(m.id), data: m.parsed as any, at: m.at })),
        ended: endedP,
        isEnded: () => ended,
        body: () => raw,
        async waitFor(pick, what, timeoutMs = 5_000) {
          const deadline = Date.now() + timeoutMs;
          for (;;) {
            const v = pick(conn);
            if (v) return v as never;
            if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(conn.events().map((e) => [e.event, e.id]))}`);
            await new Promise((r) => setTimeout(r, 10));
          }
        },
        close: () => req.destroy(),
      };
      if (res.statusCode !== 200) res.on("end", () => resolve(conn));
      else resolve(conn);
    });
    req.on("error", reject);
  });
}
