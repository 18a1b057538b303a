import type { Logger } from "./types";

type Listener<T> = (event: T) => void;

/**
 * A tiny typed event emitter that works the same in Node and browsers. A listener that throws is
 * logged and does not stop the others, nor the client that emits.
 */
export class Emitter<Events extends object> {
  private listeners = new Map<keyof Events, Set<Listener<never>>>();

  constructor(private readonly logger: Logger) {}

  on<K extends keyof Events>(type: K, listener: Listener<Events[K]>): () => void {
    let set = this.listeners.get(type);
    if (!set) this.listeners.set(type, (set = new Set()));
    set.add(listener as Listener<never>);
    return () => this.off(type, listener);
  }

  off<K extends keyof Events>(type: K, listener: Listener<Events[K]>): void {
    this.listeners.get(type)?.delete(listener as Listener<never>);
  }

  emit<K extends keyof Events>(type: K, event: Events[K]): void {
    for (const listener of [...(this.listeners.get(type) ?? [])]) {
      try {
        (listener as Listener<Events[K]>)(event);
      } catch (err) {
        this.logger.error(`mizuflow: a '${String(type)}' listener threw`, err);
      }
    }
  }

  clear(): void {
    this.listeners.clear();
  }
}
