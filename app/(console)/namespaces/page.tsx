import type { Metadata } from "next";
import { NamespaceManager } from "@/components/admin/namespace-manager";
import { can } from "@/lib/auth/permissions";
import { listNamespaces } from "@/lib/namespaces/namespace-verbs";
import { requireConsoleContext } from "../_lib/context";

export const metadata: Metadata = { title: "Namespaces" };

export default async function NamespacesPage() {
  const ctx = await requireConsoleContext("/namespaces");
  const namespaces = await listNamespaces({ ctx });
  return (
    <>
      <h1>Namespaces</h1>
      <p className="muted">A namespace groups flags, usually one per team or service. Roles are granted per namespace.</p>
      <NamespaceManager
        namespaces={namespaces.map((n) => ({ ...n, canAdmin: can(ctx.actor, "namespace:admin", { namespaceKey: n.key }) }))}
        superAdmin={ctx.actor.isSuperAdmin}
      />
    </>
  );
}
