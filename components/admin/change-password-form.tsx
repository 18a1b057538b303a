"use client";

import { useState } from "react";
import { setUserPasswordAction } from "@/lib/actions/admin-actions";
import { Field } from "../field";
import { useServerAction } from "../use-server-action";

/** Changing your own password ends your other sessions (and this one: sign in again with the new one). */
export function ChangePasswordForm({ userId }: { userId: number }) {
  const { run, pending, fieldError } = useServerAction(setUserPasswordAction, { refresh: false });
  const [mismatch, setMismatch] = useState(false);
  return (
    <form
      className="panel stack"
      style={{ maxWidth: 480 }}
      aria-labelledby="pw-title"
      onSubmit={async (e) => {
        e.preventDefault();
        const fd = new FormData(e.currentTarget);
        setMismatch(fd.get("password") !== fd.get("confirm"));
        if (fd.get("password") !== fd.get("confirm")) return;
        const r = await run({ userId, currentPassword: fd.get("currentPassword"), password: fd.get("password") });
        if (r.ok) window.location.assign("/login");
      }}
    >
      <h2 id="pw-title">Change password</h2>
      <Field label="Current password" error={fieldError("currentPassword")}><input name="currentPassword" type="password" autoComplete="current-password" required /></Field>
      <Field label="New password" hint="At least 12 characters" error={fieldError("password")}><input name="password" type="password" autoComplete="new-password" required minLength={12} /></Field>
      <Field label="New password again" error={mismatch ? "does not match the new password" : undefined}><input name="confirm" type="password" autoComplete="new-password" required minLength={12} /></Field>
      <div><button type="submit" className="primary" disabled={pending}>{pending ? "Saving…" : "Change password"}</button></div>
    </form>
  );
}
