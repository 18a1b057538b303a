import bcrypt from "bcryptjs";
import { z } from "zod";

/**
 * Password hashing with bcrypt (bcryptjs, pure JS). bcrypt only reads the first 72 bytes of a
 * password, so longer ones are rejected instead of being silently truncated.
 */
export const BCRYPT_COST = 12;
export const MIN_PASSWORD_CHARS = 12;
const MAX_PASSWORD_BYTES = 72;

export const passwordSchema = z
  .string()
  .min(MIN_PASSWORD_CHARS, `must be at least ${MIN_PASSWORD_CHARS} characters`)
  .refine((p) => Buffer.byteLength(p, "utf8") <= MAX_PASSWORD_BYTES, `must be at most ${MAX_PASSWORD_BYTES} bytes`);

export async function hashPassword(password: string, cost = BCRYPT_COST): Promise<string> {
  return bcrypt.hash(password, cost);
}

// A real hash of a random string: comparing against it when the account does not exist takes as long
// as a real check, so response time does not reveal which e-mail addresses have accounts.
let dummyHash: Promise<string> | undefined;

/** Checks a password against a stored hash (or against the dummy hash when there is none). */
export async function verifyPassword(password: string, hash: string | null | undefined): Promise<boolean> {
  if (Buffer.byteLength(password, "utf8") > MAX_PASSWORD_BYTES) return false;
  if (!hash) {
    dummyHash ??= bcrypt.hash(`no-such-user-${Math.random()}`, BCRYPT_COST);
    await bcrypt.compare(password, await dummyHash);
    return false;
  }
  return bcrypt.compare(password, hash);
}
