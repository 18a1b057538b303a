import type { EventSourceInitLike, EventSourceLike } from "../../src/stream-connection";

/**
 * An in-process event feed for the client's pure logic (ordering, state, change events). It never
 * touches the network; everything network-related is tested against the real stream server.
 */
export class FakeEventSource implements EventSourceLike {
  static instances: FakeEventSource[] = [];
  readyState = 0;
  closed = false;
  private listeners = new Map<string, ((ev: MessageEvent) => void)[]>();

  constructor(
    readonly url: string,
    readonly init?: EventSourceInitLike,
  ) {
    FakeEventSource.instances.push(this);
  }

  static latest(): FakeEventSource {
    const es = FakeEventSource.instances.at(-1);
    if (!es) throw new Error("no EventSource created");
    return es;
  }

  addEventListener(type: string, listener: (ev: MessageEvent) => void): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }

  close(): void {
    this.closed = true;
    this.readyState = 2;
  }

  open(): void {
    this.readyState = 1;
    this.dispatch("open", {});
  }

  send(type: string, id: number, data: unknown): void {
    this.dispatch(type, { data: typeof data === "string" ? data : JSON.stringify(data), lastEventId: String(id) });
  }

  fail(code?: number): void {
    this.dispatch("error", code === undefined ? {} : { code, message: `Non-200 status code (${code})` });
  }

  private dispatch(type: string, ev: object): void {
    for (const l of this.listeners.get(type) ?? []) l(ev as MessageEvent);
  }
}
