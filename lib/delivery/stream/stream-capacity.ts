import { readFileSync } from "node:fs";

const FALLBACK_MAX_STREAMS = 10_000;
/** File descriptors kept free for everything that is not a stream: MySQL, etcd, logs, API calls. */
const RESERVED_FDS = 500;

/**
 * The default cap on open SDK streams per process: the open-file soft limit minus a reserve. Past
 * the limit, accept() and every new MySQL or etcd connection would fail with EMFILE, taking the
 * streams already open down with the process's other work; refusing the excess stream with a 503
 * (the SDK retries, possibly on another instance) keeps the process healthy instead.
 */
export function defaultMaxStreams(): number {
  try {
    const m = /^Max open files\s+(\d+)/m.exec(readFileSync("/proc/self/limits", "utf8"));
    if (m) return Math.max(100, Number(m[1]) - RESERVED_FDS);
  } catch {
    // not Linux: no way to ask without a native module
  }
  return FALLBACK_MAX_STREAMS;
}
