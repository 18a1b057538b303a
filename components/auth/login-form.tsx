"use client";

import { signIn } from "next-auth/react";
import { useState } from "react";

/**
 * E-mail and password sign-in through next-auth (it fetches the CSRF token and posts it with the
 * form). Errors, including the rate-limit message, are shown in words next to the form.
 */
export function LoginForm({ returnTo, initialError, oidcName }: { returnTo: string; initialError?: string; oidcName?: string }) {
  const [error, setError] = useState<string | undefined>(initialError);
  const [pending, setPending] = useState(false);
  return (
    <div className="stack">
      <form
        className="stack"
        aria-describedby={error ? "login-error" : undefined}
        onSubmit={async (e) => {
          e.preventDefault();
          const fd = new FormData(e.currentTarget);
          setPending(true);
          setError(undefined);
          try {
            const res = await signIn("credentials", { redirect: false, email: String(fd.get("email") ?? ""), password: String(fd.get("password") ?? "") });
            if (res?.ok && !res.error) {
              window.location.assign(returnTo);
              return;
            }
            setError(res?.error && res.error !== "CredentialsSignin" ? res.error : "Wrong e-mail address or password.");
          } catch {
            setError("The server could not be reached. Check your connection and try again.");
          }
          setPending(false);
        }}
      >
        <div className="field">
          <label htmlFor="email">E-mail</label>
          <input id="email" name="email" type="email" autoComplete="username" required autoFocus />
        </div>
        <div className="field">
          <label htmlFor="password">Password</label>
          <input id="password" name="password" type="password" autoComplete="current-password" required />
        </div>
        {error && (
          <p id="login-error" className="alert error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="primary" disabled={pending}>
          {pending ? "Signing in…" : "Sign in"}
        </button>
      </form>
      {oidcName && (
        <button type="button" onClick={() => signIn("oidc", { callbackUrl: returnTo })}>
          Sign in with {oidcName}
        </button>
      )}
    </div>
  );
}
