import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it, vi } from "vitest";
import { parseEnv } from "../../lib/config/env";
import { exitIfMisconfigured, productionStartProblem, productionStartWarnings } from "../../lib/config/startup-check";

/**
 * Guarantee: a production process without AUTH_SECRET (or with a short one) refuses to run, with a
 * message saying how to fix it, and the Next.js server checks this at start (instrumentation.ts),
 * not at the first sign-in. (tests/security/next-server.test.ts runs the real `next start`.)
 */
const base = { DATABASE_URL: "mysql://u@127.0.0.1:3306/db", ETCD_ENDPOINTS: "http://127.0.0.1:2379" };
const secret = "s".repeat(32);

describe("production configuration", () => {
  it("parseEnv demands a strong AUTH_SECRET in production only", () => {
    expect(() => parseEnv({ ...base, NODE_ENV: "production" })).toThrow(/AUTH_SECRET is required in production.*openssl rand/);
    expect(() => parseEnv({ ...base, NODE_ENV: "production", AUTH_SECRET: "" })).toThrow(/AUTH_SECRET/);
    expect(() => parseEnv({ ...base, NODE_ENV: "production", AUTH_SECRET: "short-secret" })).toThrow(/AUTH_SECRET: must be at least 32 characters/);
    expect(parseEnv({ ...base, NODE_ENV: "production", AUTH_SECRET: secret }).AUTH_SECRET).toBe(secret);
    // Development may start without one (sessions then fail with a clear message, never a default).
    expect(parseEnv({ ...base, NODE_ENV: "development" }).AUTH_SECRET).toBeUndefined();
  });

  it("the start-up gate exits 1 with the reason in production, and lets a valid or development config pass", () => {
    expect(productionStartProblem({ ...base, NODE_ENV: "production" })).toMatch(/AUTH_SECRET is required in production/);
    expect(productionStartProblem({ ...base, NODE_ENV: "production", AUTH_SECRET: secret })).toBeNull();
    expect(productionStartProblem({ NODE_ENV: "development" })).toBeNull();

    const exit = vi.spyOn(process, "exit").mockImplementation((() => undefined) as never);
    const err = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      exitIfMisconfigured({ ...base, NODE_ENV: "production", AUTH_SECRET: secret });
      expect(exit).not.toHaveBeenCalled();
      exitIfMisconfigured({ ...base, NODE_ENV: "production" });
      expect(exit).toHaveBeenCalledWith(1);
      expect(String(err.mock.calls[0]?.[0])).toMatch(/^MizuFlow refuses to start: Invalid configuration:\n\s+AUTH_SECRET: /);
    } finally {
      exit.mockRestore();
      err.mockRestore();
    }
  });

  it("warns when cookies would not be Secure in production (NEXTAUTH_URL unset or plain http on a real host)", () => {
    const prod = { ...base, NODE_ENV: "production", AUTH_SECRET: secret };
    expect(productionStartWarnings({ ...prod })).toEqual([expect.stringMatching(/NEXTAUTH_URL is not set/)]);
    expect(productionStartWarnings({ ...prod, NEXTAUTH_URL: "http://flags.example.com" })).toEqual([expect.stringMatching(/without the Secure flag/)]);
    expect(productionStartWarnings({ ...prod, NEXTAUTH_URL: "https://flags.example.com" })).toEqual([]);
    expect(productionStartWarnings({ ...prod, NEXTAUTH_URL: "http://localhost:3000" })).toEqual([]);
    expect(productionStartWarnings({ NODE_ENV: "development" })).toEqual([]);
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    try {
      exitIfMisconfigured({ ...prod, NEXTAUTH_URL: "http://flags.example.com" });
      expect(String(warn.mock.calls[0]?.[0])).toMatch(/^MizuFlow warning: NEXTAUTH_URL is http:\/\//);
    } finally {
      warn.mockRestore();
    }
  });

  it("instrumentation.ts runs the gate when a Node.js server starts", async () => {
    const source = readFileSync(path.resolve(import.meta.dirname, "../../instrumentation.ts"), "utf8");
    expect(source).toMatch(/export async function register\(\)/);
    const { register } = await import("../../instrumentation");
    const saved = { ...process.env };
    const exit = vi.spyOn(process, "exit").mockImplementation((() => undefined) as never);
    const err = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      Object.assign(process.env, base, { NEXT_RUNTIME: "nodejs", NODE_ENV: "production" });
      delete process.env.AUTH_SECRET;
      await register();
      expect(exit).toHaveBeenCalledWith(1);
      exit.mockClear();
      process.env.NEXT_RUNTIME = "edge"; // the edge runtime has no process to stop; Node does it
      await register();
      expect(exit).not.toHaveBeenCalled();
    } finally {
      for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
      Object.assign(process.env, saved);
      exit.mockRestore();
      err.mockRestore();
    }
  });
});
