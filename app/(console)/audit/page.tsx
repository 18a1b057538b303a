import type { Metadata } from "next";
import { Suspense } from "react";
import { AuditBrowser } from "@/components/audit/audit-browser";
import { listEnvironments } from "@/lib/services/environments/environment-verbs";
import { listNamespaces } from "@/lib/services/namespaces/namespace-verbs";
import { consoleAbilities, requireConsoleContext } from "../_lib/context";

export const metadata: Metadata = { title: "Audit history" };

export default async function AuditPage() {
  const ctx = await requireConsoleContext("/audit");
  if (!consoleAbilities(ctx.actor).readAudit) {
    return (
      <>
        <h1>Audit history</h1>
        <p className="alert info">Reading the audit history needs the reviewer role (or higher) in a namespace.</p>
      </>
    );
  }
  const [namespaces, environments] = await Promise.all([listNamespaces({ ctx }), listEnvironments({ ctx })]);
  return (
    <>
      <h1>Audit history</h1>
      <p className="muted">Every change, who made it, from where and why. Open a row to see the before/after diff.</p>
      <Suspense fallback={<p className="loading">Loading…</p>}>
        <AuditBrowser namespaces={namespaces.map((n) => n.key)} environments={environments.map((e) => e.key)} />
      </Suspense>
    </>
  );
}
