import type { Metadata } from "next";
import { ChangePasswordForm } from "@/components/admin/change-password-form";
import { requireConsoleContext } from "../_lib/context";

export const metadata: Metadata = { title: "My account" };

export default async function AccountPage() {
  const ctx = await requireConsoleContext("/account");
  const a = ctx.actor;
  return (
    <>
      <h1>My account</h1>
      <section className="panel">
        <p>Signed in as <strong>{a.name}</strong>{a.isSuperAdmin ? " (administrator)" : ""}.</p>
        {a.grants.length > 0 && (
          <ul>{a.grants.map((g) => <li key={g.namespaceKey ?? "*"}>{g.role} in {g.namespaceKey ?? "every namespace"}{g.environmentKeys ? ` (writes only in ${g.environmentKeys.join(", ")})` : ""}</li>)}</ul>
        )}
      </section>
      <ChangePasswordForm userId={Number(a.id)} />
    </>
  );
}
