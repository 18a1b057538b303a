import type { PresenceStats } from "@/lib/console/realtime-presence";

/**
 * Per environment: SDK clients that reported their applied revision in the last 25 s (any stream
 * server), and how many of them have every change this server's watch hub holds for their scope.
 */
export function SdkClientsTable({ presence }: { presence: PresenceStats | undefined }) {
  if (!presence) return <p className="muted">…</p>;
  if (!presence.available) return <p className="alert warn" role="status">Client counts are unavailable: etcd did not answer.</p>;
  if (presence.environments.length === 0) {
    return <p className="empty">No SDK client has reported its revision in the last 25 seconds.</p>;
  }
  return (
    <div className="table-wrap">
      <table data-testid="rt-clients">
        <thead>
          <tr><th scope="col">Environment</th><th scope="col">Clients reporting</th><th scope="col">Current</th></tr>
        </thead>
        <tbody>
          {presence.environments.map((e) => (
            <tr key={e.environment}>
              <td>{e.environment}</td>
              <td>{e.clients}</td>
              <td>
                {e.current === null ? "…" : `${e.current} of ${e.clients}`}
                {e.current !== null && e.current < e.clients && <span className="badge warn" style={{ marginLeft: "0.5rem" }}>{e.clients - e.current} behind</span>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="small muted">
        Current: has applied every change in its SDK key&apos;s namespaces up to this server&apos;s revision {presence.revision ?? "…"}.
        Counts come from {presence.processes} stream server{presence.processes === 1 ? "" : "s"} and only cover namespaces you can read.
      </p>
    </div>
  );
}
