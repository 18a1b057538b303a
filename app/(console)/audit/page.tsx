import type { Metadata } from "next";
import { Suspense } from "react";
import { AuditBrowser } from "@/components/audit/audit-browser";
import { listEnvironments } from "@/lib/environments/environment-verbs";
import { listNamespaces } from "@/lib/namespaces/namespace-verbs";
import { listAuditEvents } from "@/lib/audit/list-audit";
import { AuditQuerySchema } from "@/lib/console/api";
import { auditFiltersOf } from "@/components/audit/audit-filters";
import { consoleAbilities, requireConsoleContext } from "../_lib/context";

export const metadata: Metadata = { title: "Audit history" };

export default async function AuditPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const ctx = await requireConsoleContext("/audit");
  if (!consoleAbilities(ctx.actor).readAudit) {
    return (
      <>
        <h1>Audit history</h1>
        <p className="alert info">Reading the audit history needs the reviewer role (or higher) in a namespace.</p>
      </>
    );
  }
  const filters = auditFiltersOf(await searchParams);
  // The address's first page is rendered with the page; an invalid filter renders without it and the
  // browser's request shows the validation message.
  const firstPage = (async () => listAuditEvents({ ctx, input: AuditQuerySchema.parse({ ...filters, limit: "50" }) }))().catch(() => null);
  const [namespaces, environments, initial] = await Promise.all([listNamespaces({ ctx }), listEnvironments({ ctx }), firstPage]);
  return (
    <>
      <h1>Audit history</h1>
      <p className="muted">Every change, who made it, from where and why. Open a row to see the before/after diff.</p>
      <Suspense fallback={<p className="loading">Loading…</p>}>
        <AuditBrowser namespaces={namespaces.map((n) => n.key)} environments={environments.map((e) => e.key)} initial={initial && { filters, page: initial }} />
      </Suspense>
    </>
  );
}
