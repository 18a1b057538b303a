import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { FlagDetail } from "@/components/flags/flag-detail";
import { can } from "@/lib/auth/permissions";
import { ServiceError } from "@/lib/errors/service-error";
import { listEnvironments } from "@/lib/environments/environment-verbs";
import { getFlag } from "@/lib/flags/get-flag";
import { loadTargetingTab } from "@/lib/rules/targeting-tab";
import { requireConsoleContext } from "../../../_lib/context";

type Params = { namespace: string; key: string };

export async function generateMetadata({ params }: { params: Promise<Params> }): Promise<Metadata> {
  const p = await params;
  return { title: `${p.namespace}/${p.key}` };
}

export default async function FlagPage({ params, searchParams }: { params: Promise<Params>; searchParams: Promise<{ tab?: string }> }) {
  const p = await params;
  const ctx = await requireConsoleContext(`/flags/${p.namespace}/${p.key}`);
  // Both reads at once (no waterfall); a failed flag read decides the page before environments matter.
  const environmentsRead = listEnvironments({ ctx });
  environmentsRead.catch(() => {});
  let flag;
  try {
    flag = await getFlag({ ctx, input: p });
  } catch (err) {
    // Not found, no access and a malformed key look the same: nothing leaks about other namespaces.
    if (err instanceof ServiceError && ["not_found", "forbidden", "validation_failed"].includes(err.code)) notFound();
    throw err;
  }
  const environments = await environmentsRead;
  const scope = { namespaceKey: p.namespace };
  const perms = {
    write: can(ctx.actor, "flag:write", scope),
    admin: can(ctx.actor, "namespace:admin", scope),
    audit: can(ctx.actor, "audit:read", scope),
    writeEnv: Object.fromEntries(environments.map((e) => [e.key, can(ctx.actor, "flag:write", { ...scope, environmentKey: e.key })])),
    // Archiving changes what every environment serves: only for those who may write in all of them.
    writeAll: environments.every((e) => can(ctx.actor, "flag:write", { ...scope, environmentKey: e.key })),
  };
  const { tab } = await searchParams;
  const targeting = await loadTargetingTab(ctx, p.namespace, p.key, environments.map((e) => e.key));
  return (
    <FlagDetail
      flag={flag}
      environments={environments.map((e) => ({ key: e.key, name: e.name }))}
      perms={perms}
      targeting={targeting}
      initialTab={tab === "settings" || tab === "targeting" || (tab === "history" && perms.audit) ? tab : "values"}
    />
  );
}
