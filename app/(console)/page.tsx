import type { Metadata } from "next";
import Link from "next/link";
import { listAuditEvents } from "@/lib/services/audit/list-audit";
import type { AuditEventView } from "@/lib/services/audit/schemas";
import { listEnvironments } from "@/lib/services/environments/environment-verbs";
import { listNamespaces } from "@/lib/services/namespaces/namespace-verbs";
import { outboxStats } from "@/lib/services/outbox/outbox-stats";
import { readRealtimeStats } from "../api/console/_lib/realtime-stats";
import { RetryDeadLettersButton } from "@/components/dashboard/retry-dead-letters-button";
import { describeEvent } from "@/components/audit/describe-event";
import { consoleAbilities, requireConsoleContext } from "./_lib/context";

export const metadata: Metadata = { title: "Dashboard" };

export default async function DashboardPage() {
  const ctx = await requireConsoleContext("/");
  const can = consoleAbilities(ctx.actor);
  const [namespaces, environments, outbox, live, recent] = await Promise.all([
    listNamespaces({ ctx }),
    listEnvironments({ ctx }),
    outboxStats({ ctx }),
    readRealtimeStats(),
    can.readAudit ? listAuditEvents({ ctx, input: { limit: 8 } }).then((r) => r.events).catch(() => null) : Promise.resolve(null),
  ]);
  return (
    <>
      <h1>Dashboard</h1>
      <div className="grid" style={{ marginBottom: "1rem" }}>
        <section className="panel" aria-labelledby="d-ns">
          <h2 id="d-ns" className="small muted">Namespaces you can see</h2>
          <p className="stat">{namespaces.length}</p>
        </section>
        <section className="panel" aria-labelledby="d-env">
          <h2 id="d-env" className="small muted">Environments</h2>
          <p className="stat">{environments.length}</p>
        </section>
        <section className="panel" aria-labelledby="d-live">
          <h2 id="d-live" className="small muted">Open SDK streams (this app process)</h2>
          <p className="stat" data-testid="open-streams">{live.openStreams}</p>
          <Link href="/realtime">Realtime panel</Link>
        </section>
        <section className="panel" aria-labelledby="d-outbox">
          <h2 id="d-outbox" className="small muted">Changes waiting to be published</h2>
          <p className="stat">{outbox.pending}</p>
          <p className="small muted">
            {outbox.pending ? `Oldest waiting ${outbox.oldestPendingSeconds.toFixed(1)} s` : "Everything is published."}
          </p>
          {outbox.dead > 0 && (
            <div className="alert error">
              {outbox.dead} change(s) could not be published after many attempts.
              {can.superAdmin ? <RetryDeadLettersButton /> : " Ask an administrator to retry them."}
            </div>
          )}
        </section>
      </div>

      <div className="grid">
        <section className="panel" aria-labelledby="d-ns-list">
          <h2 id="d-ns-list">Namespaces</h2>
          {namespaces.length === 0 ? (
            <p className="empty">{can.superAdmin ? "No namespaces yet. Create one on the Namespaces page." : "You have no role in any namespace yet. Ask an administrator."}</p>
          ) : (
            <ul>
              {namespaces.map((n) => (
                <li key={n.key}>
                  <Link href={`/flags?namespace=${encodeURIComponent(n.key)}`}>{n.name}</Link> <code className="muted">{n.key}</code>
                </li>
              ))}
            </ul>
          )}
        </section>
        <section className="panel" aria-labelledby="d-env-list">
          <h2 id="d-env-list">Environments</h2>
          {environments.length === 0 ? (
            <p className="empty">No environments yet.</p>
          ) : (
            <ul>
              {environments.map((e) => (
                <li key={e.key}>
                  {e.name} <code className="muted">{e.key}</code>
                </li>
              ))}
            </ul>
          )}
        </section>
      </div>

      {recent && <RecentChanges events={recent} />}
    </>
  );
}

function RecentChanges({ events }: { events: AuditEventView[] }) {
  return (
    <section className="panel" aria-labelledby="d-recent">
      <div className="spread">
        <h2 id="d-recent">Recent changes</h2>
        <Link href="/audit">Full audit history</Link>
      </div>
      {events.length === 0 ? (
        <p className="empty">Nothing has changed yet.</p>
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Who</th>
                <th scope="col">What</th>
              </tr>
            </thead>
            <tbody>
              {events.map((e) => (
                <tr key={e.id}>
                  <td className="small"><time dateTime={e.occurredAt}>{e.occurredAt.replace("T", " ").slice(0, 19)} UTC</time></td>
                  <td>{e.actorName}</td>
                  <td>{describeEvent(e)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
