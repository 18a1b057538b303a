import type { Actor, RequestMeta } from "../auth/actor";
import type { Db } from "../db/client";
import type { PublishItem } from "../etcd/fence";
import type { ContextClaim } from "../idempotency/claim-in-transaction";

/** An outbox row as committed: its id and what it publishes. */
export interface CommittedOutboxRow {
  id: number;
  item: PublishItem;
  committedAt: Date;
}

/**
 * What every service verb receives besides its input: the database, who acts, request metadata for
 * the audit log, and an optional hook that runs after commit with the outbox rows the mutation wrote
 * (the app uses it to publish at once; the relay remains the guarantee).
 */
export interface ServiceContext {
  db: Db;
  actor: Actor;
  meta?: RequestMeta;
  onCommitted?: (rows: CommittedOutboxRow[]) => void;
  /** The request's Idempotency-Key: inTransaction records it, with the answer, in the write's own transaction. */
  idempotency?: ContextClaim;
}
