import proxyAddr from "proxy-addr";

/**
 * The client address SDK admission limits by (failed key checks per address). The socket's peer is
 * the client unless it is a trusted proxy (TRUSTED_PROXIES: addresses, CIDR ranges, or proxy-addr's
 * `loopback`, `linklocal`, `uniquelocal`); then its `X-Forwarded-For` is believed, read from the
 * right, up to the first address that is not a trusted proxy. Entries further left are whatever the
 * client sent, so they never name the bucket. Default: no proxy trusted, the socket address counts.
 */
export type TrustProxy = (address: string, hop: number) => boolean;

export const TRUST_NONE: TrustProxy = () => false;

/** Compiles a TRUSTED_PROXIES list; throws TypeError on an entry that is not an address or range. */
export function compileTrustedProxies(list: readonly string[]): TrustProxy {
  return list.length === 0 ? TRUST_NONE : proxyAddr.compile([...list]);
}

/** An address is at most 45 characters (IPv6 with an IPv4 tail); anything longer is cut. */
const MAX_ADDRESS = 64;

export function clientAddress(peer: string | null | undefined, forwardedFor: string | null, trust: TrustProxy): string | null {
  if (!peer) return null;
  // No proxy trusted (the default): proxy-addr would answer the peer itself, after parsing the header.
  if (trust === TRUST_NONE) return peer.slice(0, MAX_ADDRESS);
  const fake = { socket: { remoteAddress: peer }, headers: forwardedFor ? { "x-forwarded-for": forwardedFor } : {} };
  const address = proxyAddr(fake as unknown as Parameters<typeof proxyAddr>[0], trust);
  return address ? address.slice(0, MAX_ADDRESS) : null;
}

/**
 * For a server that sees no socket (Next.js route handlers): Next.js sets `X-Forwarded-For` to the
 * socket address when the request has none, so its rightmost entry stands in for the peer.
 */
export function clientAddressFromForwarded(forwardedFor: string | null, trust: TrustProxy): string | null {
  const hops = (forwardedFor ?? "").split(",").map((s) => s.trim()).filter(Boolean);
  const peer = hops.pop();
  return clientAddress(peer, hops.join(", ") || null, trust);
}
