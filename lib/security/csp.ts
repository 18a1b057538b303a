/**
 * The Content-Security-Policy of the app. Console pages get a fresh nonce per request (proxy.ts):
 * Next.js reads it back from the request's CSP header and puts it on every script it renders, and
 * 'strict-dynamic' lets those scripts load the chunks they need, so no inline script without the
 * nonce runs (an injected <script> is refused). Responses that are not pages (the admin API, SDK
 * endpoints, static assets) carry the same policy without a nonce: they run no scripts at all.
 *
 * Styles keep 'unsafe-inline': React's style attributes need it, and CSS cannot run code.
 * Development adds eval (fast refresh) and websockets (HMR).
 */
export function contentSecurityPolicy(opts: { nonce?: string; dev?: boolean } = {}): string {
  const script = opts.nonce ? ["'self'", `'nonce-${opts.nonce}'`, "'strict-dynamic'"] : ["'self'"];
  if (opts.dev) script.push("'unsafe-eval'");
  return [
    "default-src 'self'",
    `script-src ${script.join(" ")}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' blob: data:",
    "font-src 'self' data:",
    `connect-src 'self'${opts.dev ? " ws: wss:" : ""}`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/** 128 random bits, base64: unguessable, and in the character set CSP nonces allow. */
export function newNonce(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return btoa(String.fromCharCode(...bytes));
}
