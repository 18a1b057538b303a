import { z } from "zod";
import proxyAddr from "proxy-addr";

/**
 * TRUSTED_PROXIES: comma-separated addresses and CIDR ranges (or `loopback`, `linklocal`,
 * `uniquelocal`) of the proxies in front of the SDK endpoints whose `X-Forwarded-For` is believed
 * (lib/delivery/stream/client-address.ts). Empty (the default): none; the socket address is the client.
 */
export const TrustedProxiesSchema = z
  .string()
  .default("")
  .transform((s) => s.split(",").map((e) => e.trim()).filter(Boolean))
  .superRefine((list, ctx) => {
    for (const entry of list) {
      try {
        proxyAddr.compile([entry]);
      } catch {
        ctx.addIssue({ code: "custom", message: `'${entry.slice(0, 64)}' is not an IP address, a CIDR range, or loopback/linklocal/uniquelocal` });
      }
    }
  });
