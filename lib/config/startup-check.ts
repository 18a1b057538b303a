import { parseEnv } from "./env";

/**
 * The start-up gate of the Next.js server (instrumentation.ts): a production process with an
 * invalid configuration, above all one without AUTH_SECRET (which signs every session and CSRF
 * token), must not start serving. Development keeps failing lazily, where a setting is first used.
 */
export function productionStartProblem(source: Record<string, string | undefined>): string | null {
  if (source.NODE_ENV !== "production") return null;
  try {
    parseEnv(source);
    return null;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"]);

/**
 * Settings that do not stop a production start but weaken it. next-auth marks its cookies Secure
 * (and names them __Secure-/__Host-) only when NEXTAUTH_URL is https, so a console served over
 * https with NEXTAUTH_URL unset or http:// would send its session cookie without Secure.
 */
export function productionStartWarnings(source: Record<string, string | undefined>): string[] {
  if (source.NODE_ENV !== "production") return [];
  const raw = source.NEXTAUTH_URL;
  if (!raw) return ["NEXTAUTH_URL is not set: set it to the console's public https:// URL (cookie security and sign-in redirects derive from it)"];
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return [`NEXTAUTH_URL is not a URL: ${JSON.stringify(raw.slice(0, 100))}`];
  }
  if (url.protocol === "http:" && !LOOPBACK.has(url.hostname)) {
    return ["NEXTAUTH_URL is http://: session cookies are sent without the Secure flag; serve the console over https and set NEXTAUTH_URL to its https:// URL"];
  }
  return [];
}

/** Prints one clear reason and exits 1 when the process must not start; prints warnings otherwise. */
export function exitIfMisconfigured(source: Record<string, string | undefined> = process.env): void {
  const problem = productionStartProblem(source);
  if (problem) {
    console.error(`MizuFlow refuses to start: ${problem}`);
    process.exit(1);
    return;
  }
  for (const w of productionStartWarnings(source)) console.warn(`MizuFlow warning: ${w}`);
}
