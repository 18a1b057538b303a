import { hash, randomBytes } from "node:crypto";

/**
 * SDK key material. A key is `mf_sdk_` + 32 random bytes in url-safe base64 (43 characters, no
 * padding), so it fits in a query string unescaped. Only its SHA-256 (hex) is stored: 256 random
 * bits cannot be guessed, so a slow hash would buy nothing and cost every stream connection.
 */
export const SDK_KEY_PREFIX = "mf_sdk_";
export const SDK_KEY_PATTERN = /^mf_sdk_[A-Za-z0-9_-]{43}$/;

export function generateSdkKey(): string {
  return SDK_KEY_PREFIX + randomBytes(32).toString("base64url");
}

/** One-shot `hash`: the same digest as createHash, without a Hash object per call. */
export function hashSdkKey(key: string): string {
  return hash("sha256", key, "hex");
}

/** What people see to recognise a key in lists and audit entries (never enough to use it). */
export function displayPrefix(key: string): string {
  return key.slice(0, SDK_KEY_PREFIX.length + 6);
}

export function looksLikeSdkKey(key: string): boolean {
  return SDK_KEY_PATTERN.test(key);
}
