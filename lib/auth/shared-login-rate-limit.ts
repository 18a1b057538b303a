import { createHash } from "node:crypto";
import { and, count, eq, gt, inArray, lt, min } from "drizzle-orm";
import type { Db } from "../db/client";
import { loginFailures } from "../db/schema";
import { DEFAULT_RATE_LIMIT, refusal, type LoginLimiter, type RateLimitOptions, type RateLimitVerdict } from "./login-rate-limit";

/** Old rows removed per recorded failure: keeps the table at about the window's failures. */
const PRUNE_BATCH = 100;

/**
 * The sign-in limits of login-rate-limit.ts kept in MySQL, so every app process counts the same
 * failures: N replicas allow the limit once, not N times. Subjects are stored hashed. Two
 * simultaneous attempts may both pass the check before either failure is written, so a burst can
 * exceed the limit by the number of attempts in flight; every later attempt sees them all.
 */
export class SharedLoginRateLimiter implements LoginLimiter {
  private readonly opts: RateLimitOptions;

  constructor(
    private readonly db: Db,
    opts: Partial<RateLimitOptions> = {},
  ) {
    this.opts = { ...DEFAULT_RATE_LIMIT, ...opts };
  }

  async check(account: string, address: string | null): Promise<RateLimitVerdict> {
    const acct = accountSubject(account);
    const addr = address ? addressSubject(address) : null;
    const since = this.opts.now() - this.opts.windowMs;
    const rows = await this.db
      .select({ subject: loginFailures.subject, n: count(), first: min(loginFailures.failedAtMs) })
      .from(loginFailures)
      .where(and(inArray(loginFailures.subject, addr ? [acct, addr] : [acct]), gt(loginFailures.failedAtMs, since)))
      .groupBy(loginFailures.subject);
    const of = (s: string) => rows.find((r) => r.subject === s);
    const a = of(acct);
    if (a && a.n >= this.opts.maxFailuresPerAccount) {
      return refusal(this.opts, "account", Number(a.first), "Too many failed sign-in attempts for this account.");
    }
    const i = addr ? of(addr) : undefined;
    if (i && i.n >= this.opts.maxFailuresPerAddress) {
      return refusal(this.opts, "address", Number(i.first), "Too many failed sign-in attempts from your network address.");
    }
    return { allowed: true };
  }

  async recordFailure(account: string, address: string | null): Promise<void> {
    const now = this.opts.now();
    const subjects = [accountSubject(account), ...(address ? [addressSubject(address)] : [])];
    await this.db.insert(loginFailures).values(subjects.map((subject) => ({ subject, failedAtMs: now })));
    await this.db.delete(loginFailures).where(lt(loginFailures.failedAtMs, now - this.opts.windowMs)).limit(PRUNE_BATCH);
  }

  async recordSuccess(account: string): Promise<void> {
    await this.db.delete(loginFailures).where(eq(loginFailures.subject, accountSubject(account)));
  }
}

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");
const accountSubject = (account: string) => sha256(`account:${account.trim().toLowerCase()}`);
const addressSubject = (address: string) => sha256(`address:${address}`);
