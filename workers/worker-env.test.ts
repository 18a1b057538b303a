import { expect, it } from "vitest";
import { parseWorkerEnv } from "./worker-env";

it("worker settings have safe defaults and a bad value stops start-up naming the variable", () => {
  const env = parseWorkerEnv({});
  expect(env).toMatchObject({ WORKER_METRICS_PORT: 9464, LEASE_TTL_SECONDS: 5, RECONCILE_INTERVAL_MS: 30_000, OUTBOX_RETENTION_DAYS: 7, RELAY_MAX_ATTEMPTS: 10 });
  expect(env.WORKER_ID).toMatch(new RegExp(`-${process.pid}$`));
  expect(parseWorkerEnv({ WORKER_ID: "w-1", LEASE_TTL_SECONDS: "2", RECONCILE_INTERVAL_MS: "0" })).toMatchObject({ WORKER_ID: "w-1", LEASE_TTL_SECONDS: 2, RECONCILE_INTERVAL_MS: 0 });
  expect(() => parseWorkerEnv({ LEASE_TTL_SECONDS: "0" })).toThrow(/LEASE_TTL_SECONDS/);
  expect(() => parseWorkerEnv({ WORKER_ID: "has space" })).toThrow(/WORKER_ID/);
  expect(() => parseWorkerEnv({ WORKER_METRICS_PORT: "70000" })).toThrow(/WORKER_METRICS_PORT/);
});
