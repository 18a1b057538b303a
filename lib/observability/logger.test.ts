import { spawn } from "node:child_process";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { jsonLog } from "../../workers/support/log";
import { componentLogger, createLogger } from "./logger";

/**
 * Guarantees of the one logger (lib/observability/logger.ts): a line never carries a secret, whether
 * it sits in a field named like one, in the message, in a URL or in an error's message, stack or
 * cause; and the app's and the worker's lines share one JSON shape, so one parser reads both.
 */
const ROOT = path.resolve(import.meta.dirname, "../..");

function capture(): { lines: () => Record<string, unknown>[]; raw: () => string; destination: { write(s: string): void } } {
  let raw = "";
  return {
    destination: { write: (s: string) => void (raw += s) },
    raw: () => raw,
    lines: () => raw.split("\n").filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

const SECRETS = {
  token: "mf_admin_QWxhZGRpbjpvcGVuIHNlc2FtZUFsYWRkaW46b3BlbnNlc2FtZTE",
  sdkKey: "mf_sdk_c2VjcmV0LXNkay1rZXktbWF0ZXJpYWwtdGhhdC1tdXN0LW5vdC1sZWFr",
  cookie: "next-auth.session-token=eyJhbGciOiJIUzI1NiJ9.c2Vzc2lvbi1zZWNyZXQ",
  password: "correct-horse-battery-staple-91",
  dbPassword: "db-pa55word-never-logged",
  queryParam: "b6f1c0ffee5a1ted0ddba11ca5e0f5ecre7",
};

afterEach(() => vi.restoreAllMocks());

describe("redaction", () => {
  it("censors secret fields at any depth and scrubs secrets out of messages, URLs and errors", () => {
    const out = capture();
    const log = createLogger({ level: "debug", destination: out.destination }).child({ component: "test" });
    log.info({
      token: SECRETS.token,
      sdkKey: SECRETS.sdkKey,
      password: SECRETS.password,
      headers: { authorization: `Bearer ${SECRETS.token}`, cookie: SECRETS.cookie },
      req: { headers: { "set-cookie": SECRETS.cookie }, url: `/api/sdk/v1/flags?token=${SECRETS.token}` },
      deep: { a: { b: { c: { tokenHash: SECRETS.queryParam, note: `key ${SECRETS.sdkKey}` } } } },
      DATABASE_URL: `mysql://mizuflow:${SECRETS.dbPassword}@db:3306/mizuflow`,
      target: `mysql://root:${SECRETS.dbPassword}@10.0.0.5:3306/x`,
      path: `/api/sdk/v1/stream?sdk_key=${SECRETS.sdkKey}`,
    }, `client ${SECRETS.sdkKey} connected`);
    const failed = new Error(`Failed query: select * from sdk_keys where key_hash = ?\nparams: ${SECRETS.queryParam}`, {
      cause: new Error(`connect to mysql://u:${SECRETS.dbPassword}@db failed for ${SECRETS.token}`),
    });
    log.error({ err: failed }, "query failed");
    log.warn({ err: new Error(`bad key ${SECRETS.sdkKey}`) }, "as described");

    const text = out.raw();
    for (const [name, secret] of Object.entries(SECRETS)) expect(text, `${name} leaked`).not.toContain(secret);
    const [info, error] = out.lines();
    // Redaction keeps the line useful: the field is there, censored, and harmless text survives.
    expect(info).toMatchObject({ token: "[redacted]", headers: { authorization: "[redacted]", cookie: "[redacted]" }, msg: "client mf_sdk_[redacted] connected" });
    expect(info!.target).toBe("mysql://[redacted]@10.0.0.5:3306/x");
    expect(info!.deep).toEqual({ a: { b: { c: { tokenHash: "[redacted]", note: "key mf_sdk_[redacted]" } } } });
    expect(error).toMatchObject({ err: { message: expect.stringContaining("select * from sdk_keys"), cause: { message: expect.stringContaining("failed for mf_admin_[redacted]") } } });
  });

  it("holds for the app's and the worker's log functions, which write through the same logger", () => {
    let raw = "";
    vi.spyOn(process.stdout, "write").mockImplementation((c: string | Uint8Array) => ((raw += String(c)), true));
    componentLogger("http").error({ traceId: "t1", authorization: `Bearer ${SECRETS.token}`, err: new Error(`x ${SECRETS.sdkKey}`) }, "request failed");
    jsonLog({ workerId: "w1" }, "debug")("warn", "relay.publish_failed", { password: SECRETS.password, url: `mysql://a:${SECRETS.dbPassword}@h/db` });
    expect(raw).toMatch(/request failed/);
    expect(raw).toMatch(/relay\.publish_failed/);
    for (const [name, secret] of Object.entries(SECRETS)) expect(raw, `${name} leaked`).not.toContain(secret);
  });
});

describe("one JSON shape for app and worker", () => {
  const shapeOf = (line: Record<string, unknown>) => ({
    level: typeof line.level,
    time: typeof line.time === "string" && !Number.isNaN(Date.parse(line.time)) ? "iso" : line.time,
    component: typeof line.component,
    msg: typeof line.msg,
    err: Object.keys(line.err as object).filter((k) => ["name", "message", "stack"].includes(k)).sort(),
  });

  it("a real worker process's failure line and an app error line have the same fields and types", async () => {
    // The worker, started with a configuration it rejects, logs `worker.start_failed` and exits 1.
    const child = spawn(process.execPath, ["--import", "tsx", "workers/main.ts"], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, NODE_ENV: "production", LOG_LEVEL: "info", DATABASE_URL: "not-a-url" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    child.stdout!.on("data", (c: Buffer) => (stdout += c.toString()));
    const code = await new Promise<number | null>((r) => child.once("exit", r));
    expect(code).toBe(1);
    const workerLine = stdout.split("\n").filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.event === "worker.start_failed");
    expect(workerLine, stdout).toBeDefined();

    let raw = "";
    vi.spyOn(process.stdout, "write").mockImplementation((c: string | Uint8Array) => ((raw += String(c)), true));
    componentLogger("http").error({ traceId: "t2", err: new Error("boom") }, "request failed");
    const appLine = JSON.parse(raw.trim().split("\n").at(-1)!) as Record<string, unknown>;

    expect(shapeOf(appLine)).toEqual({ level: "string", time: "iso", component: "string", msg: "string", err: ["message", "name", "stack"] });
    expect(shapeOf(workerLine!)).toEqual(shapeOf(appLine));
    expect([appLine.level, appLine.component, workerLine!.level, workerLine!.component]).toEqual(["error", "http", "error", "worker"]);
  }, 30_000);
});
