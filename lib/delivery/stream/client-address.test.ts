import { describe, expect, it } from "vitest";
import { parseEnv } from "../../config/env";
import { clientAddress, clientAddressFromForwarded, compileTrustedProxies, TRUST_NONE } from "./client-address";

/**
 * Guarantee: the address failed key checks are counted by is the socket peer unless that peer is a
 * trusted proxy, and then the nearest X-Forwarded-For hop that is not a trusted proxy, never an
 * entry the client could have written itself; TRUSTED_PROXIES is validated at start.
 */
describe("client address behind proxies", () => {
  const lb = compileTrustedProxies(["10.0.0.0/8", "loopback"]);

  it("ignores X-Forwarded-For from a peer that is not a trusted proxy (the default trusts none)", () => {
    expect(clientAddress("203.0.113.9", "198.51.100.1", TRUST_NONE)).toBe("203.0.113.9");
    expect(clientAddress("203.0.113.9", "198.51.100.1", lb)).toBe("203.0.113.9");
  });

  it("takes the address a trusted proxy appended, not the ones the client sent before it", () => {
    expect(clientAddress("10.1.2.3", "6.6.6.6, 198.51.100.7", lb)).toBe("198.51.100.7");
    // Two trusted hops (ingress behind a load balancer): the first untrusted address from the right.
    expect(clientAddress("127.0.0.1", "6.6.6.6, 198.51.100.7, 10.9.9.9", lb)).toBe("198.51.100.7");
    // A trusted proxy that forwarded nothing: the proxy itself is the client.
    expect(clientAddress("10.1.2.3", null, lb)).toBe("10.1.2.3");
    // IPv4-mapped IPv6 peers match IPv4 ranges.
    expect(clientAddress("::ffff:10.1.2.3", "198.51.100.7", lb)).toBe("198.51.100.7");
  });

  it("uses the rightmost X-Forwarded-For entry as the peer where no socket is visible (Next.js)", () => {
    expect(clientAddressFromForwarded("6.6.6.6, 198.51.100.7", TRUST_NONE)).toBe("198.51.100.7");
    expect(clientAddressFromForwarded("6.6.6.6, 198.51.100.7, 10.0.0.5", lb)).toBe("198.51.100.7");
    expect(clientAddressFromForwarded(null, lb)).toBeNull();
    expect(clientAddressFromForwarded(`${"9".repeat(500)}`, TRUST_NONE)).toHaveLength(64);
  });

  it("accepts addresses, CIDR ranges and the named ranges in TRUSTED_PROXIES, and refuses anything else at start", () => {
    const base = { DATABASE_URL: "mysql://u@127.0.0.1:3306/db", ETCD_ENDPOINTS: "http://127.0.0.1:2379" };
    expect(parseEnv(base).TRUSTED_PROXIES).toEqual([]);
    expect(parseEnv({ ...base, TRUSTED_PROXIES: " 10.0.0.0/8, 192.168.1.7,fd00::/8 ,loopback" }).TRUSTED_PROXIES).toEqual(["10.0.0.0/8", "192.168.1.7", "fd00::/8", "loopback"]);
    expect(() => parseEnv({ ...base, TRUSTED_PROXIES: "10.0.0.0/8, *" })).toThrow(/TRUSTED_PROXIES: '\*' is not an IP address/);
    expect(() => parseEnv({ ...base, TRUSTED_PROXIES: "10.0.0.0/33" })).toThrow(/TRUSTED_PROXIES/);
  });
});
