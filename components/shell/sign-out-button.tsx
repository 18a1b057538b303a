"use client";

import { useState } from "react";

/**
 * Signs out through next-auth (a CSRF-protected POST that clears the session cookie). next-auth's
 * client (~46 KB) is loaded on click, not with every console page: it is the shell's only use of it.
 */
export function SignOutButton() {
  const [pending, setPending] = useState(false);
  return (
    <button
      type="button"
      disabled={pending}
      onClick={async () => {
        setPending(true);
        const { signOut } = await import("next-auth/react");
        await signOut({ redirect: false });
        window.location.assign("/login?signedOut=1");
      }}
    >
      {pending ? "Signing out…" : "Sign out"}
    </button>
  );
}
