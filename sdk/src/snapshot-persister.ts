import type { SnapshotPayload } from "./protocol";
import { deserializeSnapshot, serializeSnapshot, sourceFingerprint, type SnapshotStore } from "./snapshot-store";
import type { Logger } from "./types";

/**
 * Loads the local snapshot once and writes it back after changes, debounced so a burst of events
 * costs one write, and serialized so two writes never overlap. A failed write is logged and
 * retried with the next change: persistence must never break flag delivery.
 */
export class SnapshotPersister {
  private readonly fingerprint: string;
  private pending: (() => SnapshotPayload) | null = null;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: SnapshotStore,
    url: string,
    sdkKey: string,
    private readonly debounceMs: number,
    private readonly logger: Logger,
  ) {
    this.fingerprint = sourceFingerprint(url, sdkKey);
  }

  async load(): Promise<SnapshotPayload | null> {
    try {
      const raw = await this.store.load();
      if (raw === null) return null;
      const parsed = deserializeSnapshot(this.fingerprint, raw);
      if (typeof parsed === "string") {
        this.logger.warn(`mizuflow: ignoring the local snapshot: ${parsed}`);
        return null;
      }
      return parsed;
    } catch (err) {
      this.logger.warn("mizuflow: could not read the local snapshot", err);
      return null;
    }
  }

  /** `current` is read when the write happens, so the newest state is the one written. */
  schedule(current: () => SnapshotPayload): void {
    this.pending = current;
    if (this.timer) return;
    this.timer = setTimeout(() => this.write(), this.debounceMs);
    (this.timer as { unref?: () => void }).unref?.();
  }

  /** Writes what is pending now and waits for every write to finish. */
  async flush(): Promise<void> {
    if (this.timer) this.write();
    await this.chain;
  }

  private write(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const current = this.pending;
    this.pending = null;
    if (!current) return;
    this.chain = this.chain
      .then(() => this.store.save(serializeSnapshot(this.fingerprint, current())))
      .catch((err) => this.logger.warn("mizuflow: could not write the local snapshot", err));
  }
}
