"use client";

import { useQuery } from "@tanstack/react-query";
import type { PresenceStats } from "@/lib/console/realtime-presence";
import type { RealtimeStats } from "@/lib/console/realtime-stats";
import type { OutboxStatsView } from "@/lib/outbox/schemas";
import { fetchJson } from "../fetch-json";
import { formatSeconds, LatencyChart } from "./latency-chart";
import { SdkClientsTable } from "./sdk-clients-table";
import { useLiveEvents } from "./use-live-events";

/** Live events from the console stream, plus delivery statistics polled every two seconds. */
type Stats = RealtimeStats & { outbox: OutboxStatsView; presence: PresenceStats };

export function RealtimePanel({ initial }: { initial?: Stats }) {
  const stats = useQuery({
    queryKey: ["realtime-stats"],
    queryFn: () => fetchJson<Stats>("/api/console/realtime/stats"),
    initialData: initial,
    refetchInterval: 2_000,
  });
  const live = useLiveEvents();
  const s = stats.data;
  return (
    <div className="stack">
      <div className="grid">
        <section className="panel">
          {/* Every process's clients (their reports), so a client of the worker's stream server counts too. */}
          <h2 className="small muted">Connected SDK clients</h2>
          <p className="stat" data-testid="rt-open-streams">{s ? (s.presence.available ? s.presence.environments.reduce((n, e) => n + e.clients, 0) : "—") : "…"}</p>
        </section>
        <section className="panel"><h2 className="small muted">Events pushed (this app process)</h2><p className="stat">{s ? s.eventsPushed : "…"}</p></section>
        <section className="panel">
          <h2 className="small muted">Commit → push, last minute</h2>
          <p className="stat small" style={{ fontSize: "1.1rem" }} data-testid="rt-percentiles">
            {s ? `p50 ${formatSeconds(s.lastMinute.p50)} · p90 ${formatSeconds(s.lastMinute.p90)} · p99 ${formatSeconds(s.lastMinute.p99)}` : "…"}
          </p>
          <p className="small muted">{s ? `${s.lastMinute.count} change(s) pushed` : ""}</p>
        </section>
        <section className="panel">
          <h2 className="small muted">Waiting to publish</h2>
          <p className="stat">{s ? s.outbox.pending : "…"}</p>
          {s && s.outbox.dead > 0 && <p className="badge danger">{s.outbox.dead} failed (see dashboard)</p>}
        </section>
      </div>
      {stats.isError && <p className="alert error" role="alert">{(stats.error as Error).message}</p>}
      <section className="panel" aria-labelledby="rt-clients-title">
        <h2 id="rt-clients-title">SDK clients</h2>
        <SdkClientsTable presence={s?.presence} />
      </section>
      <section className="panel" aria-labelledby="rt-chart">
        <h2 id="rt-chart">Propagation latency</h2>
        <LatencyChart points={s?.history ?? []} />
      </section>
      <section className="panel" aria-labelledby="rt-events">
        <div className="spread">
          <h2 id="rt-events">Live events</h2>
          <span role="status" className={`badge ${live.status === "live" ? "on" : live.status === "error" ? "danger" : "warn"}`} data-testid="rt-status">
            {live.status === "live" ? "live" : live.status === "error" ? live.error : "connecting…"}
          </span>
        </div>
        {live.events.length === 0 ? (
          <p className="empty">No changes since you opened this page. Change a flag and it appears here.</p>
        ) : (
          <ol className="event-list" aria-live="polite" data-testid="rt-events">
            {live.events.map((e) => (
              <li key={`${e.revision}-${e.environment}-${e.namespace}-${e.key}`}>
                <span className="muted">{e.receivedAt.slice(11, 19)}</span>
                <span>{e.op === "delete" ? "removed" : "put"}</span>
                <strong>{e.environment}/{e.namespace}/{e.key}</strong>
                {e.op === "put" && <code>{JSON.stringify(e.value).slice(0, 60)}</code>}
                <span className="muted">v{e.version}</span>
                {e.latencyMs !== null && <span className="muted">{e.latencyMs} ms after commit</span>}
              </li>
            ))}
          </ol>
        )}
      </section>
    </div>
  );
}
