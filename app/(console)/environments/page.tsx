import type { Metadata } from "next";
import { CreateEnvironmentForm } from "@/components/admin/create-environment-form";
import { listEnvironments } from "@/lib/environments/environment-verbs";
import { requireConsoleContext } from "../_lib/context";

export const metadata: Metadata = { title: "Environments" };

export default async function EnvironmentsPage() {
  const ctx = await requireConsoleContext("/environments");
  const environments = await listEnvironments({ ctx });
  return (
    <>
      <h1>Environments</h1>
      <p className="muted">Every flag has a value in every environment. SDK keys are bound to one environment. Environments are never deleted: SDKs rely on their version history.</p>
      {environments.length === 0 ? (
        <p className="empty">No environments yet.</p>
      ) : (
        <div className="table-wrap panel" style={{ padding: 0 }}>
          <table>
            <thead>
              <tr><th scope="col">Key</th><th scope="col">Name</th><th scope="col">Description</th><th scope="col">Created</th></tr>
            </thead>
            <tbody>
              {environments.map((e) => (
                <tr key={e.key}>
                  <td><code>{e.key}</code></td>
                  <td>{e.name}</td>
                  <td>{e.description ?? <span className="muted">—</span>}</td>
                  <td className="small">{e.createdAt.slice(0, 10)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {ctx.actor.isSuperAdmin && <CreateEnvironmentForm />}
    </>
  );
}
