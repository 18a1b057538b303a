import { and, eq } from "drizzle-orm";
import { createApiToken } from "../../lib/api-tokens/create-api-token";
import type { ServiceContext } from "../../lib/core/context";
import type { Db } from "../../lib/db/client";
import { auditEvents } from "../../lib/db/schema";
import { createEnvironment } from "../../lib/environments/environment-verbs";
import { createFlag } from "../../lib/flags/create-flag";
import { createNamespace } from "../../lib/namespaces/namespace-verbs";

/**
 * The freeze-writes scenario, shared by the worker transport (freeze-writes.test.ts) and the built
 * Next app (freeze-writes-next.test.ts): writers PUT unique values to one flag while processes are
 * paused, and the answers are checked against what MySQL (and any other store) ended up holding.
 */
export const ENV = "production";
export const FLAG = { namespace: "shop", key: "price" };
/** The flag's value before any writer ran: etcd and the SDK hold it without a write asking for it. */
export const INITIAL_VALUE = 0;

export type Put = (value: number, key: string) => Promise<{ status: number; code?: string }>;

export interface Outcome {
  writer: number;
  value: number;
  key: string;
  status: number;
  code?: string;
  retried: number;
}

/** The environment, namespace and number flag the writers set; returns an admin token for them. */
export async function seedFreezeFlag(ctx: ServiceContext): Promise<string> {
  await createEnvironment({ ctx, input: { key: ENV, name: "Production" } });
  await createNamespace({ ctx, input: { key: FLAG.namespace, name: "Shop" } });
  await createFlag({ ctx, input: { ...FLAG, type: "number", values: { [ENV]: INITIAL_VALUE } } });
  return (await createApiToken({ ctx, input: { name: "writers", role: "admin", namespaces: null, superAdmin: true } })).token;
}

/**
 * PUTs the value over HTTP. With timeoutMs, a request that gets no answer (its server is paused
 * with the socket open) or loses its connection counts as a failed answer (status 0) instead of
 * failing the writer.
 */
export async function putOverHttp(baseUrl: string, token: string, value: number, key: string, timeoutMs?: number): Promise<{ status: number; code?: string }> {
  const request = fetch(`${baseUrl}/api/v1/flags/${FLAG.namespace}/${FLAG.key}/values/${ENV}`, {
    method: "PUT",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json", "idempotency-key": key },
    body: JSON.stringify({ value }),
    ...(timeoutMs === undefined ? {} : { signal: AbortSignal.timeout(timeoutMs) }),
  });
  const res = timeoutMs === undefined ? await request : await request.catch((err: unknown) => ({ status: 0, json: async () => ({ error: { code: String(err) } }) }));
  const body = (await res.json().catch(() => ({}))) as { error?: { code?: string } };
  return { status: res.status, code: body.error?.code };
}

/** Pauses a process (SIGSTOP) for ms; it is let go even if the wait is interrupted. */
export async function freeze(pid: number, ms: number): Promise<void> {
  process.kill(pid, "SIGSTOP");
  try {
    await new Promise((r) => setTimeout(r, ms));
  } finally {
    process.kill(pid, "SIGCONT");
  }
}

/**
 * Runs one writer per put (writer w writes w * 1e6 + seq under key `${keyPrefix}w${w}-${seq}`)
 * until the schedule is done; `at(ms)` waits until ms after the writers started.
 */
export async function runWriters(puts: Put[], keyPrefix: string, schedule: (at: (ms: number) => Promise<unknown>) => Promise<void>): Promise<Outcome[]> {
  let stop = false;
  const outcomes: Outcome[] = [];
  const writer = async (put: Put, w: number) => {
    for (let seq = 1; !stop; seq++) {
      const value = w * 1_000_000 + seq;
      const key = `${keyPrefix}w${w}-${seq}`;
      let res = await put(value, key);
      let retried = 0;
      // The outcome was unknown: the same key and body tell what happened (never a second write).
      while (res.code === "commit_outcome_unknown" && retried < 40) {
        retried++;
        await new Promise((r) => setTimeout(r, 500));
        res = await put(value, key);
      }
      outcomes.push({ writer: w, value, key, ...res, retried });
      if (res.status !== 200) await new Promise((r) => setTimeout(r, 100));
    }
  };
  const writers = puts.map(writer);
  const t0 = Date.now();
  try {
    await schedule((ms) => new Promise((r) => setTimeout(r, Math.max(0, t0 + ms - Date.now()))));
  } finally {
    stop = true;
    await Promise.all(writers);
  }
  return outcomes;
}

/** Every value the audit log says was committed for the flag, once per commit. */
export async function committedValues(db: Db): Promise<number[]> {
  const rows = await db.select({ after: auditEvents.after }).from(auditEvents).where(and(eq(auditEvents.action, "flag_value.set"), eq(auditEvents.flagKey, FLAG.key)));
  return rows.map((r) => Number((r.after as { value: number }).value));
}

/** A store downstream of MySQL and every value it was seen to hold. */
export interface Downstream {
  name: string;
  values: Set<number>;
}

/**
 * Where the answers lie (empty = the truth): a write answered 200 is in MySQL exactly once, one
 * answered as failed is in neither MySQL nor a downstream store, none is left unknown, MySQL holds
 * nothing no writer asked for, and a downstream store holds nothing MySQL does not (it may skip
 * intermediate versions: a publish carries the latest).
 */
export function answerProblems(outcomes: Outcome[], inMySql: number[], downstream: Downstream[] = []): string[] {
  const problems: string[] = [];
  const counts = new Map<number, number>();
  for (const v of inMySql) counts.set(v, (counts.get(v) ?? 0) + 1);
  for (const o of outcomes) {
    const n = counts.get(o.value) ?? 0;
    if (o.status === 200) {
      if (n !== 1) problems.push(`${o.key} answered 200 but written ${n} times in MySQL`);
      continue;
    }
    if (o.code === "commit_outcome_unknown") problems.push(`${o.key} still unknown after ${o.retried} retries`);
    if (n) problems.push(`${o.key} answered ${o.status} ${o.code} but is in MySQL`);
    for (const d of downstream) if (d.values.has(o.value)) problems.push(`${o.key} answered ${o.status} ${o.code} but is in ${d.name}`);
  }
  const asked = new Set(outcomes.map((o) => o.value));
  for (const v of inMySql) if (!asked.has(v)) problems.push(`value ${v} in MySQL was never asked for`);
  for (const d of downstream) for (const v of d.values) if (v !== INITIAL_VALUE && !counts.has(v)) problems.push(`value ${v} in ${d.name} but not in MySQL`);
  return problems;
}

export function summarize(outcomes: Outcome[]) {
  return {
    writes: outcomes.length,
    ok: outcomes.filter((o) => o.status === 200).length,
    failed: outcomes.filter((o) => o.status !== 200).map((o) => `${o.status} ${o.code}`),
    resolvedByRetry: outcomes.filter((o) => o.retried).length,
  };
}
