import type { Namespace, Watcher } from "etcd3";
import { FLAGS_DIR } from "../../lib/etcd/keys";
import { percentiles, type Percentiles } from "./write-stats";

/**
 * Commit -> etcd lag as an outside observer sees it: a watch on the flags prefix, and for every put
 * of a bench flag, arrival time minus the document's `updatedAt` (the commit time the write path
 * stamps). It includes the watch delivery to this process, so it is an upper bound on the publish
 * lag; this process does nothing else during the run, so that part stays small.
 */
export class LagRecorder {
  private readonly samples: { commitAt: number; lagMs: number }[] = [];
  private watcher: Watcher | null = null;
  puts = 0;

  constructor(
    private readonly root: Namespace,
    private readonly namespace: string,
  ) {}

  async start(): Promise<void> {
    this.watcher = await this.root.watch().prefix(FLAGS_DIR).create();
    this.watcher.on("put", (kv) => {
      const now = Date.now();
      let doc: { namespace?: string; updatedAt?: string };
      try {
        doc = JSON.parse(kv.value.toString("utf8")) as typeof doc;
      } catch {
        return;
      }
      if (doc.namespace !== this.namespace || !doc.updatedAt) return;
      const commitAt = Date.parse(doc.updatedAt);
      this.puts++;
      this.samples.push({ commitAt, lagMs: now - commitAt });
    });
    this.watcher.on("error", (err) => console.error("[bench] etcd watch error:", err));
  }

  /** Lag of the puts whose commit time falls in [from, to). */
  window(from: number, to: number): Percentiles {
    return percentiles(this.samples.filter((s) => s.commitAt >= from && s.commitAt < to).map((s) => s.lagMs));
  }

  async stop(): Promise<void> {
    await this.watcher?.cancel();
  }
}
