import path from "node:path";
import { NodeProcess, waitMessage } from "./node-process";
import type { ClientFinal, ClientReply, ClientRequest, ClientSpec, ClientTotals, LatencyQuery, RecoveryAnswer, RecoveryQuery } from "./protocol";

/** The SDK client processes: spawn, hand out clients, and ask them questions at the end. */
export class ClientFleet {
  private readonly procs: NodeProcess[] = [];
  private rid = 0;

  constructor(
    private readonly count: number,
    private readonly logDir: string,
    private readonly args: string[],
  ) {}

  async start(specs: ClientSpec[], maxBackoffMs: number): Promise<number> {
    const groups: ClientSpec[][] = Array.from({ length: this.count }, () => []);
    specs.forEach((s, i) => groups[i % this.count]!.push(s));
    const readies: Promise<number>[] = [];
    for (let i = 0; i < this.count; i++) {
      const proc = new NodeProcess({
        name: `clients-${i}`,
        args: this.args,
        env: {},
        logFile: path.join(this.logDir, `clients-${i}.log`),
        ipc: true,
      });
      this.procs.push(proc);
      await proc.start();
      readies.push(waitMessage(proc, (m) => ((m as ClientReply).type === "ready" ? (m as { connected: number }).connected : undefined), 90_000, "clients ready"));
      proc.send({ type: "start", clients: groups[i]!, maxBackoffMs } satisfies ClientRequest);
    }
    return (await Promise.all(readies)).reduce((a, b) => a + b, 0);
  }

  private async ask<T>(make: (rid: number) => ClientRequest, pick: (m: ClientReply) => T | undefined): Promise<T[]> {
    return Promise.all(
      this.procs.map((p) => {
        const rid = ++this.rid;
        const reply = waitMessage(p, (m) => ((m as { rid?: number }).rid === rid ? pick(m as ClientReply) : undefined), 120_000, "client reply");
        p.send(make(rid));
        return reply;
      }),
    );
  }

  async finals(): Promise<ClientFinal[]> {
    return (await this.ask((rid) => ({ type: "final", rid }), (m) => (m.type === "final" ? m.clients : undefined))).flat();
  }

  async totals(): Promise<ClientTotals[]> {
    return this.ask((rid) => ({ type: "totals", rid }), (m) => (m.type === "totals" ? m.totals : undefined));
  }

  /** Per query, combined over processes: earliest first event, latest all-ready (null if any process had a client never ready). */
  async recovery(queries: RecoveryQuery[]): Promise<RecoveryAnswer[]> {
    if (!queries.length) return [];
    const per = await this.ask((rid) => ({ type: "recovery", rid, queries }), (m) => (m.type === "recovery" ? m.answers : undefined));
    return queries.map((_, i) => {
      const answers = per.map((a) => a[i]!);
      const firsts = answers.map((a) => a.firstEvent).filter((x): x is number => x !== null);
      const withClients = answers.filter((a) => a.clients > 0);
      const allReady = withClients.some((a) => a.allReady === null) ? null : Math.max(0, ...withClients.map((a) => a.allReady!));
      return { firstEvent: firsts.length ? Math.min(...firsts) : null, allReady: withClients.length ? allReady : null, clients: answers.reduce((a, b) => a + b.clients, 0) };
    });
  }

  /** Per server and commit: worst delivery latency over in-scope clients (-1: none got it); per commit, how many clients missed it. */
  async latency(commits: LatencyQuery[], servers: number): Promise<{ worst: number[][]; missing: number[] }> {
    if (!commits.length) return { worst: Array.from({ length: servers }, () => []), missing: [] };
    const per = await this.ask((rid) => ({ type: "latency", rid, commits, servers }), (m) => (m.type === "latency" ? { worst: m.worst, missing: m.missing } : undefined));
    return {
      worst: Array.from({ length: servers }, (_, s) => commits.map((_, i) => Math.max(...per.map((p) => p.worst[s]![i]!)))),
      missing: commits.map((_, i) => per.reduce((a, p) => a + p.missing[i]!, 0)),
    };
  }

  async stop(): Promise<void> {
    await Promise.all(this.procs.map((p) => p.stop(5_000)));
    await Promise.all(this.procs.map((p) => p.close()));
  }
}
