import { createHash } from "node:crypto";
import { eq } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "../db/client";
import { userIdentities, users } from "../db/schema";
import { writeAudit } from "../audit/write-audit";
import { inTransaction } from "../core/transaction";
import { systemActor } from "./actor";
import { actorForUser, type UserRow } from "./session-actor";

/**
 * Who an OpenID Connect sign-in is. An identity is remembered by its (issuer, subject) pair, the
 * only stable, unique name OIDC gives: once linked, a user is found by that pair alone, whatever
 * e-mail the provider reports later. The first sign-in links by e-mail, and only when the provider
 * vouches for the address (email_verified) and it equals the account's e-mail exactly (compared
 * here in JS: the column's utf8mb4_unicode_ci collation would match "rené@" to "rene@"). A user
 * holds at most one identity per issuer, so a second provider account claiming the same address
 * is refused rather than given the account.
 */
const ClaimsSchema = z.object({
  iss: z.string().url().max(255),
  sub: z.string().min(1).max(255),
  email: z.string().max(254).optional(),
  // Some providers send the string "true"; anything else (missing, false, "false") is unverified.
  email_verified: z.union([z.boolean(), z.enum(["true", "false"])]).optional(),
});

export type OidcOutcome =
  | { ok: true; user: UserRow; linked: boolean }
  | { ok: false; reason: "bad_claims" | "unverified_email" | "no_account" | "disabled" | "issuer_already_linked" };

export const identityHash = (issuer: string, subject: string) => createHash("sha256").update(`${issuer}\n${subject}`).digest("hex");

/** Decides an OIDC sign-in from the provider's claims (ID token + userinfo); links on first use. */
export async function signInWithOidc(db: Db, rawClaims: unknown, now = new Date()): Promise<OidcOutcome> {
  const parsed = ClaimsSchema.safeParse(rawClaims);
  if (!parsed.success) return { ok: false, reason: "bad_claims" };
  const { iss, sub, email, email_verified } = parsed.data;
  const hash = identityHash(iss, sub);
  return inTransaction({ db, actor: systemActor("oidc-sign-in") }, async (tx) => {
    const [known] = await tx.select().from(userIdentities).where(eq(userIdentities.identityHash, hash));
    if (known) {
      const [user] = await tx.select().from(users).where(eq(users.id, known.userId));
      if (!user) return { ok: false, reason: "no_account" } as const;
      if (user.disabledAt) return { ok: false, reason: "disabled" } as const;
      await tx.update(userIdentities).set({ lastSignInAt: now }).where(eq(userIdentities.id, known.id));
      return { ok: true, user, linked: false } as const;
    }
    if (email_verified !== true && email_verified !== "true") return { ok: false, reason: "unverified_email" } as const;
    const address = email?.trim().toLowerCase();
    if (!address) return { ok: false, reason: "unverified_email" } as const;
    // The index finds collation-equal rows; only a byte-equal one is this account.
    const candidates = await tx.select().from(users).where(eq(users.email, address)).for("update");
    const user = candidates.find((u) => u.email === address);
    if (!user) return { ok: false, reason: "no_account" } as const;
    if (user.disabledAt) return { ok: false, reason: "disabled" } as const;
    const existing = await tx.select({ issuer: userIdentities.issuer }).from(userIdentities).where(eq(userIdentities.userId, user.id));
    if (existing.some((i) => i.issuer === iss)) return { ok: false, reason: "issuer_already_linked" } as const;
    await tx.insert(userIdentities).values({ userId: user.id, issuer: iss, subject: sub, identityHash: hash, createdAt: now, lastSignInAt: now });
    await writeAudit(tx, actorForUser(user, []), undefined, {
      action: "user.identity_link",
      targetType: "user",
      targetId: user.id,
      after: { id: user.id, email: user.email, issuer: iss, subject: sub },
    });
    return { ok: true, user, linked: true } as const;
  });
}

/** The user an already-linked identity stands for (used once the sign-in was allowed). */
export async function userForIdentity(db: Db, rawClaims: unknown): Promise<UserRow | null> {
  const parsed = ClaimsSchema.safeParse(rawClaims);
  if (!parsed.success) return null;
  const [row] = await db
    .select({ user: users })
    .from(userIdentities)
    .innerJoin(users, eq(users.id, userIdentities.userId))
    .where(eq(userIdentities.identityHash, identityHash(parsed.data.iss, parsed.data.sub)));
  return row && !row.user.disabledAt ? row.user : null;
}
