import { hash } from "node:crypto";
import type { Scope } from "../delivery/hub/scope";

/**
 * ETags of OFREP responses. The scope part changes exactly when something the key can see changed
 * (the etcd revision of its scope, not the cluster's), so every process behind a load balancer
 * computes the same tag. A bulk response also depends on the context, hence the hash of the
 * request body's text in the tag: SHA-256 (cut to 96 bits), so no chosen context can be made to
 * share another's tag. One-shot `hash` is several times cheaper than createHash for a short body,
 * and gives the same digest (the tag format is unchanged).
 */
export function scopeEtag(scope: Scope, lastChange: number): string {
  return `"ofrep-${lastChange}-${scope.hash}"`;
}

export function bulkEtag(scope: Scope, lastChange: number, contextJson: string): string {
  const ctx = hash("sha256", contextJson, "base64url").slice(0, 16);
  return `"ofrep-${lastChange}-${scope.hash}-${ctx}"`;
}
