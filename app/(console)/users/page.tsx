import type { Metadata } from "next";
import { CreateUserForm } from "@/components/admin/create-user-form";
import { UserRow } from "@/components/admin/user-row";
import { can } from "@/lib/auth/permissions";
import { ServiceError } from "@/lib/errors/service-error";
import { listEnvironments } from "@/lib/environments/environment-verbs";
import { listNamespaces } from "@/lib/namespaces/namespace-verbs";
import { listUsers } from "@/lib/users/user-verbs";
import { requireConsoleContext } from "../_lib/context";

export const metadata: Metadata = { title: "Users & roles" };

export default async function UsersPage() {
  const ctx = await requireConsoleContext("/users");
  // Read together with the user list (no waterfall); unused when the viewer may not list users.
  const lists = Promise.all([listNamespaces({ ctx }), listEnvironments({ ctx })]);
  lists.catch(() => {});
  let users;
  try {
    users = await listUsers({ ctx });
  } catch (err) {
    if (err instanceof ServiceError && err.code === "forbidden") {
      return (<><h1>Users &amp; roles</h1><p className="alert info">Only administrators manage users and roles.</p></>);
    }
    throw err;
  }
  const [namespaces, environments] = await lists;
  const grantable = namespaces.filter((n) => can(ctx.actor, "namespace:admin", { namespaceKey: n.key })).map((n) => n.key);
  const me = ctx.actor.id;
  return (
    <>
      <h1>Users &amp; roles</h1>
      <p className="muted">
        Roles per namespace: <strong>viewer</strong> reads flags; <strong>reviewer</strong> also reads and exports the audit history;
        <strong> editor</strong> also changes flags and values (optionally only in some environments); <strong>admin</strong> also manages
        the namespace, its SDK keys and members. Administrators (super-admins) can do everything.
      </p>
      <div className="stack">
        {users.map((u) => (
          <UserRow key={u.id} user={u} isSelf={String(u.id) === me} superAdmin={ctx.actor.isSuperAdmin} grantable={grantable} environments={environments.map((e) => e.key)} />
        ))}
      </div>
      {ctx.actor.isSuperAdmin && <CreateUserForm />}
    </>
  );
}
