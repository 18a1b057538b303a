/**
 * Runs once when a Next.js server process starts (`next start`), before it serves a request. A
 * production server with an invalid configuration (no AUTH_SECRET, above all) refuses to start
 * with the reason instead of failing on the first sign-in: see lib/config/startup-check.ts.
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { exitIfMisconfigured } = await import("./lib/config/startup-check");
  exitIfMisconfigured(process.env);
  // The console session as an admin-API credential (lib/auth/session.ts registers it on load); it
  // lives outside the shared handlers so that the worker never loads next-auth.
  await import("./lib/auth/session");
}
