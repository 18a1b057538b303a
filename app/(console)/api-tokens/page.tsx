import type { Metadata } from "next";
import { ApiTokenManager } from "@/components/admin/api-token-manager";
import { can } from "@/lib/auth/permissions";
import { listApiTokens } from "@/lib/api-tokens/list-api-tokens";
import { listNamespaces } from "@/lib/namespaces/namespace-verbs";
import { consoleAbilities, requireConsoleContext } from "../_lib/context";

export const metadata: Metadata = { title: "API tokens" };

export default async function ApiTokensPage() {
  const ctx = await requireConsoleContext("/api-tokens");
  if (!consoleAbilities(ctx.actor).adminSomewhere) {
    return (<><h1>API tokens</h1><p className="alert info">Only namespace admins and administrators manage API tokens.</p></>);
  }
  const [tokens, namespaces] = await Promise.all([listApiTokens({ ctx }), listNamespaces({ ctx })]);
  const adminOf = namespaces.filter((n) => can(ctx.actor, "namespace:admin", { namespaceKey: n.key })).map((n) => n.key);
  return (
    <>
      <h1>Admin API tokens</h1>
      <p className="muted">
        Tokens let scripts and CI use the admin API (<a href="/api/v1/openapi.json">OpenAPI document</a>) with a role in some namespaces.
        The secret is shown once; only a hash is stored.
      </p>
      <ApiTokenManager tokens={tokens} namespaces={adminOf} superAdmin={ctx.actor.isSuperAdmin} />
    </>
  );
}
