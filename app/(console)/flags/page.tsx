import type { Metadata } from "next";
import Link from "next/link";
import { Suspense } from "react";
import { FlagsBrowser } from "@/components/flags/flags-browser";
import { listEnvironments } from "@/lib/services/environments/environment-verbs";
import { listNamespaces } from "@/lib/services/namespaces/namespace-verbs";
import { consoleAbilities, requireConsoleContext } from "../_lib/context";

export const metadata: Metadata = { title: "Flags" };

export default async function FlagsPage() {
  const ctx = await requireConsoleContext("/flags");
  const [namespaces, environments] = await Promise.all([listNamespaces({ ctx }), listEnvironments({ ctx })]);
  const can = consoleAbilities(ctx.actor);
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
        <FlagsBrowser namespaces={namespaces.map((n) => n.key)} environments={environments.map((e) => e.key)} />
      </Suspense>
    </>
  );
}
