import type { Metadata } from "next";
import Link from "next/link";
import { listAuditEvents } from "@/lib/audit/list-audit";
import type { AuditEventView } from "@/lib/audit/schemas";
import { listEnvironments } from "@/lib/environments/environment-verbs";
import { listNamespaces } from "@/lib/namespaces/namespace-verbs";
import { outboxStats } from "@/lib/outbox/outbox-stats";
import { readPresenceStats } from "@/lib/console/realtime-presence";
import { FirstRunChecklist } from "@/components/dashboard/first-run-checklist";
import { listFlags } from "@/lib/flags/list-flags";
import { RetryDeadLettersButton } from "@/components/dashboard/retry-dead-letters-button";
import { describeEvent } from "@/components/audit/describe-event";
import { consoleAbilities, requireConsoleContext } from "./_lib/context";

export const metadata: Metadata = { title: "Dashboard" };

export default async function DashboardPage() {
  const ctx = await requireConsoleContext("/");
  const can = consoleAbilities(ctx.actor);
  const [namespaces, environments, outbox, live, recent, firstFlags] = await Promise.all([
    listNamespaces({ ctx }),
    listEnvironments({ ctx }),
    outboxStats({ ctx }),
    readPresenceStats(ctx.actor),
    can.readAudit ? listAuditEvents({ ctx, input: { limit: 8 } }).then((r) => r.events).catch(() => null) : Promise.resolve(null),
    listFlags({ ctx, input: { limit: 50 } }).then((r) => r.flags),
  ]);
  const connectedClients = live.available ? live.environments.reduce((n, e) => n + e.clients, 0) : 0;
  const checklist = {
    hasFlag: firstFlags.length > 0,
    firstFlag: firstFlags[0] ? { namespace: firstFlags[0].namespace, key: firstFlags[0].key } : null,
    hasChange: firstFlags.some((f) => Object.values(f.values).some((v) => v.version > 1)),
    connectedClients,
    environments: environments.map((e) => e.key),
  };
  return (
    <>
      <h1>Dashboard</h1>
      <FirstRunChecklist state={checklist} canWrite={can.write} />
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
          {/* Cluster-wide, from the SDKs' reports (presence summaries of every process), not one process's sockets. */}
          <h2 id="d-live" className="small muted">Connected SDK clients</h2>
          <p className="stat" data-testid="open-streams">{live.available ? connectedClients : "—"}</p>
          {!live.available && <p className="small muted">Unknown right now: etcd did not answer.</p>}
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
