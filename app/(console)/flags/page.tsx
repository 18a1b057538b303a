import type { Metadata } from "next";
import Link from "next/link";
import { Suspense } from "react";
import { can as canDo } from "@/lib/auth/permissions";
import { FlagsBrowser } from "@/components/flags/flags-browser";
import { flagListQuery, listParamsOf } from "@/components/flags/flag-list-query";
import { listFlagPageWithLastSeen } from "@/lib/console/flag-list-page";
import { listEnvironments } from "@/lib/environments/environment-verbs";
import { listNamespaces } from "@/lib/namespaces/namespace-verbs";
import { consoleAbilities, requireConsoleContext } from "../_lib/context";

export const metadata: Metadata = { title: "Flags" };

export default async function FlagsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const ctx = await requireConsoleContext("/flags");
  const params = listParamsOf(await searchParams);
  // The address's page is rendered here with the rest (no client round trip before the rows show);
  // an invalid address renders without rows and the browser's request shows the validation message.
  const [namespaces, environments, initial] = await Promise.all([
    listNamespaces({ ctx }),
    listEnvironments({ ctx }),
    listFlagPageWithLastSeen({ ctx, input: params }).catch(() => null),
  ]);
  const can = consoleAbilities(ctx.actor);
  // Where the list may offer on/off switches; the server checks again on every save.
  const writable = Object.fromEntries(
    namespaces.map((n) => [n.key, environments.filter((e) => canDo(ctx.actor, "flag:write", { namespaceKey: n.key, environmentKey: e.key })).map((e) => e.key)]),
  );
  return (
    <>
      <div className="spread">
        <h1>Flags</h1>
        {can.write && (
          <Link href="/flags/new" className="button primary">
            Create flag
          </Link>
        )}
      </div>
      <Suspense fallback={<p className="loading">Loading flags…</p>}>
        <FlagsBrowser namespaces={namespaces.map((n) => n.key)} environments={environments.map((e) => e.key)} writable={writable} initial={initial} initialQuery={flagListQuery(params)} />
      </Suspense>
    </>
  );
}
