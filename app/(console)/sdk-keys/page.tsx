import type { Metadata } from "next";
import { SdkKeyManager } from "@/components/admin/sdk-key-manager";
import { can } from "@/lib/auth/permissions";
import { listEnvironments } from "@/lib/environments/environment-verbs";
import { listNamespaces } from "@/lib/namespaces/namespace-verbs";
import { listSdkKeys } from "@/lib/sdk-keys/list-sdk-keys";
import { consoleAbilities, requireConsoleContext } from "../_lib/context";

export const metadata: Metadata = { title: "SDK keys" };

export default async function SdkKeysPage() {
  const ctx = await requireConsoleContext("/sdk-keys");
  if (!consoleAbilities(ctx.actor).adminSomewhere) {
    return (<><h1>SDK keys</h1><p className="alert info">Only namespace admins and administrators manage SDK keys.</p></>);
  }
  const [keys, environments, namespaces] = await Promise.all([
    listSdkKeys({ ctx, input: { includeRevoked: true } }),
    listEnvironments({ ctx }),
    listNamespaces({ ctx }),
  ]);
  return (
    <>
      <h1>SDK keys</h1>
      <p className="muted">An SDK key lets an application read flags of one environment and some namespaces over the stream. Only a hash is stored; the key is shown once.</p>
      <SdkKeyManager
        keys={keys}
        environments={environments.map((e) => e.key)}
        namespaces={namespaces.filter((n) => can(ctx.actor, "namespace:admin", { namespaceKey: n.key })).map((n) => n.key)}
        superAdmin={ctx.actor.isSuperAdmin}
      />
    </>
  );
}
