import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { LoginForm } from "@/components/auth/login-form";
import { oidcConfig } from "@/lib/auth/auth-options";
import { safeReturnPath } from "@/lib/security/safe-return";
import { getConsoleContext } from "../(console)/_lib/context";

export const metadata: Metadata = { title: "Sign in" };
export const dynamic = "force-dynamic";

const ERRORS: Record<string, string> = {
  AccessDenied: "That account has no access to MizuFlow, or it is disabled. Ask an administrator.",
  OAuthSignin: "Single sign-on could not be started. Try again.",
  OAuthCallback: "Single sign-on did not complete. Try again.",
  SessionRequired: "Please sign in to continue.",
  Configuration: "Sign-in is not configured correctly on the server. Ask an administrator.",
};

export default async function LoginPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const sp = await searchParams;
  // Only same-origin paths are followed after sign-in (lib/security/safe-return.ts).
  const returnTo = safeReturnPath(sp.callbackUrl, process.env.NEXTAUTH_URL);
  if (await getConsoleContext()) redirect(returnTo);
  const code = typeof sp.error === "string" ? sp.error : undefined;
  // Only known codes are shown: free text from the URL would let a link put any words on this page.
  const initialError = code ? (ERRORS[code] ?? "Sign-in failed. Try again.") : undefined;
  const oidc = oidcConfig();
  return (
    <div className="login-page">
      <main className="login-card" aria-labelledby="login-title">
        <p className="brand">
          Mizu<span>Flow</span>
        </p>
        <h1 id="login-title">Sign in</h1>
        {sp.signedOut === "1" && <p className="alert info" role="status">You are signed out.</p>}
        <LoginForm returnTo={returnTo} initialError={initialError} oidcName={oidc?.OIDC_DISPLAY_NAME} />
      </main>
    </div>
  );
}
