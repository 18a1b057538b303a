import type { Namespace } from "etcd3";

/**
 * Notices an etcd watch that stopped delivering without any error (a stuck server-side watcher,
 * a connection that went silent): every `everyMs` it asks etcd for a key under `root` changed
 * after the hub's revision. The watch delivers in milliseconds and checks are seconds apart, so
 * the same missing revision on two checks in a row means the watch is stuck.
 * (A connection that went silent also needs gRPC keepalive on the etcd client to be torn down.)
 */
export interface LivenessHooks {
  /** The hub's applied revision, or null while a check makes no sense (starting, resyncing). */
  revision(): number | null;
  /** etcd's current revision, as the probe saw it. */
  seen(etcdRevision: number): void;
  stuck(missingRevision: number): void;
  failed(err: unknown): void;
}

const PROBE_TIMEOUT_MS = 5_000;

export class LivenessCheck {
  private suspect = 0;
  private probing = false;
  private readonly timer: NodeJS.Timeout | null;

  constructor(
    private readonly root: Namespace,
    everyMs: number,
    private readonly hooks: LivenessHooks,
  ) {
    this.timer = everyMs > 0 ? setInterval(() => void this.check(), everyMs) : null;
    this.timer?.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  private async check(): Promise<void> {
    const before = this.hooks.revision();
    if (before === null || this.probing) return;
    this.probing = true;
    let timer: NodeJS.Timeout | undefined;
    try {
      // A call on a dead connection can wait forever: give up after a while.
      const timeout = new Promise<null>((r) => (timer = setTimeout(() => r(null), PROBE_TIMEOUT_MS)));
      const res = await Promise.race([this.root.getAll().prefix("").minModRevision(before + 1).limit(1).exec(), timeout]);
      const now = this.hooks.revision();
      if (!res || now === null) return;
      this.hooks.seen(Number(res.header.revision));
      if (this.suspect && now < this.suspect) {
        const missing = this.suspect;
        this.suspect = 0;
        this.hooks.stuck(missing);
        return;
      }
      const changed = res.kvs.length ? Number(res.kvs[0]!.mod_revision) : 0;
      this.suspect = changed > now ? changed : 0;
    } catch (err) {
      this.hooks.failed(err);
    } finally {
      clearTimeout(timer);
      this.probing = false;
    }
  }
}
