/**
 * A minimal SSE consumer for the outage suite: keeps every event and counts heartbeats, so a test
 * can tell "the stream stayed open and kept talking" from "it was closed".
 */
export interface SseEvent {
  event: string;
  id: string | null;
  data: string;
}

export interface SseProbe {
  events: SseEvent[];
  heartbeats: number;
  closed: boolean;
  close(): void;
}

export async function openSse(url: string, key: string): Promise<SseProbe> {
  const ac = new AbortController();
  const res = await fetch(url, { headers: { authorization: `Bearer ${key}`, accept: "text/event-stream" }, signal: ac.signal });
  if (res.status !== 200 || !res.body) throw new Error(`stream answered ${res.status}: ${await res.text()}`);
  const probe: SseProbe = { events: [], heartbeats: 0, closed: false, close: () => ac.abort() };
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buf = "";
  void (async () => {
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        buf += value;
        let i: number;
        while ((i = buf.indexOf("\n\n")) >= 0) {
          const frame = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const ev: SseEvent = { event: "message", id: null, data: "" };
          let isEvent = false;
          for (const line of frame.split("\n")) {
            if (line.startsWith(":")) probe.heartbeats++;
            else if (line.startsWith("event: ")) ((ev.event = line.slice(7)), (isEvent = true));
            else if (line.startsWith("id: ")) ev.id = line.slice(4);
            else if (line.startsWith("data: ")) ((ev.data += line.slice(6)), (isEvent = true));
          }
          if (isEvent) probe.events.push(ev);
        }
      }
    } catch {
      // aborted or reset
    } finally {
      probe.closed = true;
    }
  })();
  return probe;
}
