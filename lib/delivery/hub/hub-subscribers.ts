import type { HubEvent, HubSubscriber } from "./hub-types";

/**
 * Subscribers indexed by environment, so an event is only offered to streams of its environment.
 * Fan-out is synchronous and each callback only queues bytes on its own connection, so one slow
 * consumer never delays the others; a throwing subscriber is reported and skipped.
 */
export class SubscriberRegistry {
  private readonly byEnv = new Map<string, Set<HubSubscriber>>();
  private count = 0;

  constructor(private readonly onError: (err: unknown) => void) {}

  get size(): number {
    return this.count;
  }

  add(sub: HubSubscriber): void {
    let set = this.byEnv.get(sub.scope.environment);
    if (!set) this.byEnv.set(sub.scope.environment, (set = new Set()));
    if (!set.has(sub)) {
      set.add(sub);
      this.count++;
    }
  }

  remove(sub: HubSubscriber): void {
    const set = this.byEnv.get(sub.scope.environment);
    if (set?.delete(sub)) {
      this.count--;
      if (set.size === 0) this.byEnv.delete(sub.scope.environment);
    }
  }

  /** Offers a response's events to the subscribers of each environment they touch. */
  fanOut(events: readonly HubEvent[]): void {
    if (events.length === 0) return;
    const first = events[0]!.environment;
    if (events.every((e) => e.environment === first)) return this.deliver(first, events);
    const groups = new Map<string, HubEvent[]>();
    for (const e of events) {
      const g = groups.get(e.environment);
      if (g) g.push(e);
      else groups.set(e.environment, [e]);
    }
    for (const [env, evs] of groups) this.deliver(env, evs);
  }

  private deliver(environment: string, events: readonly HubEvent[]): void {
    const set = this.byEnv.get(environment);
    if (!set) return;
    for (const sub of set) {
      try {
        sub.onEvents(events);
      } catch (err) {
        this.onError(err);
      }
    }
  }

  /** Tells every subscriber the hub rebuilt its state. */
  resyncAll(): void {
    for (const set of [...this.byEnv.values()]) {
      for (const sub of [...set]) {
        try {
          sub.onResync();
        } catch (err) {
          this.onError(err);
        }
      }
    }
  }

  all(): HubSubscriber[] {
    return [...this.byEnv.values()].flatMap((s) => [...s]);
  }
}
