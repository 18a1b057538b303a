import { createHash, randomBytes } from "node:crypto";

/**
 * Admin API token format: `mf_admin_` + 32 random bytes as url-safe base64 (43 characters). The
 * secret carries 256 bits, so a plain SHA-256 is enough to store it (a slow hash buys nothing), and
 * looking it up by hash needs no constant-time compare: the hash of a guess reveals nothing.
 */
export const TOKEN_PREFIX = "mf_admin_";
export const TOKEN_PATTERN = /^mf_admin_[A-Za-z0-9_-]{43}$/;
const SHOWN_CHARS = 6;

export function generateApiToken(): { token: string; hash: string; prefix: string } {
  const token = TOKEN_PREFIX + randomBytes(32).toString("base64url");
  return { token, hash: hashApiToken(token), prefix: token.slice(0, TOKEN_PREFIX.length + SHOWN_CHARS) };
}

export function hashApiToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

export function looksLikeApiToken(s: string): boolean {
  return TOKEN_PATTERN.test(s);
}
