/**
 * What the chaos run's processes tell each other over IPC. Plain JSON only (it crosses process
 * boundaries). A "flag id" is `{env}/{ns}/{key}`: one (flag, environment), the unit a version
 * belongs to.
 */
import type { FlagType } from "../../../sdk/src/types";

/** One committed (flag, environment) version, as the writer saw it. */
export interface CommitRecord {
  id: string;
  version: number;
  /** false: the commit made the flag unserved in this environment (archived or deleted). */
  served: boolean;
  /** JSON of the served value (undefined when not served). */
  value?: string;
  /** Date.now() when the writer learnt of the commit (right after it returned). */
  at: number;
  /** "baseline": read back from MySQL (start of a writer, or after an ambiguous failure). */
  via: "verb" | "app" | "baseline";
}

export interface FlagSpec {
  namespace: string;
  key: string;
  type: FlagType;
}

export interface WriterStart {
  type: "start";
  flags: FlagSpec[];
  environments: string[];
  seed: number;
  /** Target mutations per second (whole writer). */
  rate: number;
  concurrency: number;
  /** Share of value changes sent through the app's admin API (0 when there is no app). */
  appShare: number;
  appUrl?: string;
  apiToken?: string;
  /** Only value changes (no archive/delete/re-create): keeps "delivered" well defined for latency. */
  setOnly: boolean;
}

export interface WriterStats {
  ops: number;
  viaApp: number;
  appFailures: number;
  errors: number;
  resyncs: number;
  lastErrors: string[];
}

export type WriterMessage =
  | { type: "ready" }
  | { type: "commits"; commits: CommitRecord[] }
  | { type: "stats"; stats: WriterStats }
  | { type: "stopped"; stats: WriterStats };

export interface ClientSpec {
  /** Global client index. */
  index: number;
  /** Which stream server (index into the run's stream URLs). */
  server: number;
  url: string;
  sdkKey: string;
  environment: string;
  /** null = every namespace. */
  namespaces: string[] | null;
}

/** A client's state at the end: flag id -> [version, value JSON]. */
export interface ClientFinal {
  index: number;
  state: string;
  revision: number;
  flags: Record<string, [number, string]>;
}

export interface ClientTotals {
  clients: number;
  events: number;
  /** A change event whose new version was below one the client had already seen for the key. */
  regressions: number;
  regressionSamples: string[];
  /** The SDK ignored an older version the server sent (the server regressed; the SDK held). */
  serverRegressions: number;
  serverRegressionSamples: string[];
  /** Distinct (flag id, version) -> value JSON seen by any client of this process. */
  observed: Record<string, string>;
  /** The same (flag id, version) seen with two different values. */
  splitBrain: string[];
  notReady: number;
  /** Changes for a namespace outside the client's SDK key scope. */
  outOfScope: number;
}

/** Recovery queries: earliest delivery to clients of `server` (or any, when null) after `after`. */
export interface RecoveryQuery {
  server: number | null;
  after: number;
}

export interface RecoveryAnswer {
  /** Earliest change event received after `after`, or null. */
  firstEvent: number | null;
  /** Latest "back in sync" time over the affected clients (first ready after `after`), or null if some never were. */
  allReady: number | null;
  clients: number;
}

/** A served commit whose delivery time is wanted: flag id, version, commit time. */
export type LatencyQuery = [id: string, version: number, at: number];

export type ClientRequest =
  | { type: "start"; clients: ClientSpec[]; maxBackoffMs: number }
  | { type: "final"; rid: number }
  | { type: "totals"; rid: number }
  | { type: "recovery"; rid: number; queries: RecoveryQuery[] }
  | { type: "latency"; rid: number; commits: LatencyQuery[]; servers: number };

export type ClientReply =
  | { type: "ready"; connected: number }
  | { type: "final"; rid: number; clients: ClientFinal[] }
  | { type: "totals"; rid: number; totals: ClientTotals }
  | { type: "recovery"; rid: number; answers: RecoveryAnswer[] }
  /** Per stream server and query: the latest first-delivery time minus commit time over in-scope clients that got it (-1 if none did); per query, how many did not. */
  | { type: "latency"; rid: number; worst: number[][]; missing: number[] };
