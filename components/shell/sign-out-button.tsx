"use client";

import { signOut } from "next-auth/react";
import { useState } from "react";

/** Signs out through next-auth (a CSRF-protected POST that clears the session cookie). */
export function SignOutButton() {
  const [pending, setPending] = useState(false);
  return (
    <button
      type="button"
      disabled={pending}
      onClick={async () => {
        setPending(true);
        await signOut({ redirect: false });
        window.location.assign("/login?signedOut=1");
      }}
    >
      {pending ? "Signing out…" : "Sign out"}
    </button>
  );
}
