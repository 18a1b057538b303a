/**
 * Where to send the browser after sign-in, from a `callbackUrl` the URL (anyone's link) supplies.
 *
 * String prefix checks lose to the browser's URL parser: it drops tabs and newlines anywhere and
 * reads `\` as `/` (`/\t/evil.example` and `/\evil.example` are `//evil.example`, another host).
 * So the value is parsed here by that same parser (WHATWG URL) against the app's origin, kept only
 * if the result is on that origin, and returned re-serialised as a path: the browser then
 * navigates to exactly what was checked, never to a string it could read differently.
 */

/** Resolves relative references when the app's own origin is not known; never a real host. */
const PLACEHOLDER_ORIGIN = "https://console.invalid";

/**
 * A same-origin path (with query and fragment) for `raw`, or "/" when it is missing or points
 * anywhere else. `appOrigin` (e.g. NEXTAUTH_URL) lets absolute URLs on the app's own origin through.
 */
export function safeReturnPath(raw: string | string[] | undefined, appOrigin?: string): string {
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (!value) return "/";
  const origin = originOf(appOrigin) ?? PLACEHOLDER_ORIGIN;
  let url: URL;
  try {
    url = new URL(value, origin);
  } catch {
    return "/";
  }
  if (url.origin !== origin || url.username || url.password) return "/";
  const path = url.pathname + url.search + url.hash;
  // A path may still begin with an empty segment ("/.//evil.example" parses to "//evil.example"),
  // which a browser would take as a host.
  if (!path.startsWith("/") || path.startsWith("//")) return "/";
  return new URL(path, origin).origin === origin ? path : "/";
}

function originOf(value: string | undefined): string | null {
  if (!value) return null;
  try {
    const origin = new URL(value).origin;
    return origin === "null" ? null : origin;
  } catch {
    return null;
  }
}
