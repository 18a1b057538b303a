"use client";

import { useState } from "react";
import { grantRoleAction, revokeRoleAction, setUserPasswordAction, updateUserAction } from "@/lib/users/server-actions";
import type { UserView } from "@/lib/users/schemas";
import { Field } from "../field";
import { useServerAction } from "../use-server-action";

/** One user: their roles (grant / remove), and for administrators: enable/disable, admin rights, password reset. */
export function UserRow({ user, isSelf, superAdmin, grantable, environments }: { user: UserView; isSelf: boolean; superAdmin: boolean; grantable: string[]; environments: string[] }) {
  const grant = useServerAction(grantRoleAction);
  const revoke = useServerAction(revokeRoleAction);
  const update = useServerAction(updateUserAction);
  const password = useServerAction(setUserPasswordAction);
  const [role, setRole] = useState("viewer");
  const [showPassword, setShowPassword] = useState(false);
  const mayGrantAll = superAdmin;
  return (
    <section className="panel stack" aria-labelledby={`user-${user.id}`} data-testid={`user-${user.email}`}>
      <div className="spread">
        <h2 id={`user-${user.id}`} style={{ margin: 0 }}>
          {user.name} <span className="small muted">{user.email}</span>
        </h2>
        <div className="row">
          {user.isSuperAdmin && <span className="badge role">administrator</span>}
          {user.disabled && <span className="badge danger">disabled</span>}
          {isSelf && <span className="badge">you</span>}
        </div>
      </div>
      <div className="row" aria-label="Roles">
        {user.memberships.length === 0 && <span className="muted small">No roles{superAdmin ? "" : " in your namespaces"}.</span>}
        {user.memberships.map((m) => (
          <span key={m.namespace ?? "*"} className="badge role">
            {m.role} in {m.namespace ?? "every namespace"}
            {m.environments && ` (writes: ${m.environments.join(", ")})`}{" "}
            {(m.namespace === null ? mayGrantAll : grantable.includes(m.namespace)) && (
              <button type="button" className="link" disabled={revoke.pending} onClick={() => revoke.run({ userId: user.id, namespace: m.namespace ?? "" })}>
                remove<span className="visually-hidden"> {m.role} in {m.namespace ?? "every namespace"} from {user.email}</span>
              </button>
            )}
          </span>
        ))}
      </div>
      {(grantable.length > 0 || mayGrantAll) && (
        <form
          className="form-grid"
          aria-label={`Grant a role to ${user.email}`}
          onSubmit={(e) => {
            e.preventDefault();
            const fd = new FormData(e.currentTarget);
            void grant.run({ userId: user.id, namespace: fd.get("namespace"), role: fd.get("role"), environments: fd.getAll("environments") });
          }}
        >
          <Field label="Namespace" error={grant.fieldError("namespace")}>
            <select name="namespace" defaultValue={grantable[0] ?? "*"}>
              {mayGrantAll && <option value="*">Every namespace</option>}
              {grantable.map((n) => <option key={n} value={n}>{n}</option>)}
            </select>
          </Field>
          <Field label="Role" error={grant.fieldError("role")}>
            <select name="role" value={role} onChange={(e) => setRole(e.target.value)}>
              {["viewer", "reviewer", "editor", "admin"].map((r) => <option key={r} value={r}>{r}</option>)}
            </select>
          </Field>
          {role === "editor" && environments.length > 0 && (
            <fieldset style={{ border: "none", padding: 0, margin: 0 }}>
              <legend className="small" style={{ fontWeight: 600 }}>Writes only in (none checked: all)</legend>
              <div className="row">
                {environments.map((e) => (
                  <label key={e} className="checkbox"><input type="checkbox" name="environments" value={e} /> {e}</label>
                ))}
              </div>
            </fieldset>
          )}
          <div><button type="submit" disabled={grant.pending}>Grant role</button></div>
        </form>
      )}
      {superAdmin && !isSelf && (
        <div className="row">
          <button type="button" disabled={update.pending} onClick={() => update.run({ userId: user.id, disabled: !user.disabled })}>
            {user.disabled ? "Enable account" : "Disable account"}
          </button>
          <button type="button" disabled={update.pending} onClick={() => update.run({ userId: user.id, isSuperAdmin: !user.isSuperAdmin })}>
            {user.isSuperAdmin ? "Remove administrator rights" : "Make administrator"}
          </button>
          <button type="button" aria-expanded={showPassword} onClick={() => setShowPassword(!showPassword)}>Reset password</button>
        </div>
      )}
      {showPassword && (
        <form
          className="row"
          onSubmit={async (e) => {
            e.preventDefault();
            const fd = new FormData(e.currentTarget);
            const r = await password.run({ userId: user.id, password: fd.get("password") });
            if (r.ok) setShowPassword(false);
          }}
        >
          <Field label={`New password for ${user.email}`} hint="At least 12 characters" error={password.fieldError("password")}>
            <input name="password" type="password" autoComplete="new-password" required />
          </Field>
          <button type="submit" className="primary" disabled={password.pending}>Set password</button>
        </form>
      )}
    </section>
  );
}
