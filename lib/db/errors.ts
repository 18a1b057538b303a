/** True for MySQL/MariaDB ER_DUP_ENTRY (a unique index rejected the row). */
export function isDuplicateKey(err: unknown): boolean {
  for (let e: unknown = err, d = 0; e && d < 5; d++) {
    if ((e as { code?: unknown }).code === "ER_DUP_ENTRY") return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}
