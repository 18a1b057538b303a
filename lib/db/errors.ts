/** True for MySQL/MariaDB ER_DUP_ENTRY (a unique index rejected the row). */
export function isDuplicateKey(err: unknown): boolean {
  for (let e: unknown = err, d = 0; e && d < 5; d++) {
    if ((e as { code?: unknown }).code === "ER_DUP_ENTRY") return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * Drizzle writes a failed query's bound parameters into the error message and stack ("Failed
 * query: ...\nparams: ..."): token and SDK key hashes, password hashes, flag values. Every logger
 * passes error text through this, so a database outage never copies them into the logs.
 */
export function redactQueryParams(text: string): string {
  return text.replace(/(Failed query: [\s\S]*?\nparams: )[\s\S]*?(?=\n {4}at |$)/g, "$1[redacted]");
}
