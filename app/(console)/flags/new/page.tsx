import type { Metadata } from "next";
import { CreateFlagForm } from "@/components/flags/create-flag-form";
import { can } from "@/lib/auth/permissions";
import { listNamespaces } from "@/lib/namespaces/namespace-verbs";
import { requireConsoleContext } from "../../_lib/context";

export const metadata: Metadata = { title: "Create flag" };

export default async function NewFlagPage({ searchParams }: { searchParams: Promise<{ namespace?: string }> }) {
  const ctx = await requireConsoleContext("/flags/new");
  const sp = await searchParams;
  const writable = (await listNamespaces({ ctx })).filter((n) => can(ctx.actor, "flag:write", { namespaceKey: n.key })).map((n) => n.key);
  return (
    <>
      <h1>Create flag</h1>
      {writable.length === 0 ? (
        <p className="empty">Your role does not allow creating flags in any namespace. Editors and admins of a namespace can.</p>
      ) : (
        <CreateFlagForm namespaces={writable} initialNamespace={sp.namespace && writable.includes(sp.namespace) ? sp.namespace : writable[0]!} />
      )}
    </>
  );
}
