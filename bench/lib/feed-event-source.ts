import type { EventSourceLike } from "../../sdk/src/stream-connection";

/**
 * An in-process EventSource for the SDK benches: the real client (sdk/src/client.ts) gets the
 * stream's events as wire strings from `send`, so a bench measures the SDK, not a socket or a
 * server. `last` is the instance the client opened.
 */
export class FeedEventSource implements EventSourceLike {
  static last: FeedEventSource;
  readyState = 0;
  private listeners = new Map<string, ((ev: MessageEvent) => void)[]>();
  constructor(readonly url: string) {
    FeedEventSource.last = this;
  }
  addEventListener(type: string, l: (ev: MessageEvent) => void): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), l]);
  }
  close(): void {
    this.readyState = 2;
  }
  send(type: string, id: number, data: string): void {
    for (const l of this.listeners.get(type) ?? []) l({ data, lastEventId: String(id) } as MessageEvent);
  }
}
