import { z } from "zod";
import { FlagViewSchema, SetFlagValueSchema, SetFlagValuesResultSchema, SetFlagValuesSchema } from "../flags/schemas";
import { RollbackFlagValueSchema, ValueVersionSchema } from "../audit/schemas";
import { ValueVersionsQuerySchema, AUDIT_PAGING } from "../audit/api";
import { defineRoute } from "../http/route-spec";
import { withApi } from "../http/with-api";
import { rollbackFlagValue } from "./rollback-flag-value";
import { setFlagValue } from "./set-flag-value";
import { setFlagValues } from "./set-flag-values";
import { listFlagValueVersions } from "./value-versions";

const flagPath = "/api/v1/flags/[namespace]/[key]";
const paging = AUDIT_PAGING;

const IDEMPOTENCY_NOTE =
  "Send an Idempotency-Key header (1-255 printable ASCII characters, kept at least 24 hours per API token or user) to make retries safe: " +
  "a retry with the same key, method, path and body replays the original answer (header idempotent-replayed: true) and never writes twice; " +
  "the same key with a different request is 422 idempotency_key_reused. A 503 means nothing was changed. " +
  "504 commit_outcome_unknown means the database stopped answering while the write was being committed and the outcome could not be learned: " +
  "it may or may not have been saved; retry with the same Idempotency-Key (details.idempotencyKey) to learn it, or read the flag.";

/**
 * A flag's value per environment: set one, set many at once, list its audited versions, roll back.
 * The tags are those the endpoints were published under (flags for writes, audit for history).
 */
export const valueRoutes = {
  setValue: defineRoute({
    route: `${flagPath}/values/[environment]`,
    method: "PUT",
    tag: "flags",
    summary: "Set a flag's value in one environment",
    description:
      "Published to etcd and every connected SDK. With expectedVersion, a concurrent change makes this fail with 409 (details.currentVersion). " +
      IDEMPOTENCY_NOTE,
    body: SetFlagValueSchema.omit({ namespace: true, key: true, environment: true }),
    response: FlagViewSchema,
    idempotent: true,
    errors: [404, 409],
  }),
  setValues: defineRoute({
    route: "/api/v1/value-changes",
    method: "POST",
    tag: "flags",
    summary: "Set many flag values at once, all or nothing",
    description:
      "Up to 500 changes in one transaction, applied in order; each gets its own version, audit event and publish, exactly as the single-value PUT. If any change is refused (404, 409, 422, 403), nothing is written and the error names it (changes[i], details.index). " +
      IDEMPOTENCY_NOTE,
    body: SetFlagValuesSchema,
    response: SetFlagValuesResultSchema,
    idempotent: true,
    errors: [404, 409],
  }),
  valueVersions: defineRoute({
    route: `${flagPath}/values/[environment]/versions`,
    method: "GET",
    tag: "audit",
    summary: "The audited versions of a flag's value in one environment, newest first (what rollback can restore), a page at a time",
    description: `Each version is listed with the event that created it. ${paging}`,
    query: ValueVersionsQuerySchema,
    response: z.object({ versions: z.array(ValueVersionSchema), nextCursor: z.number().int().nullable() }),
  }),
  rollback: defineRoute({
    route: `${flagPath}/values/[environment]/rollback`,
    method: "POST",
    tag: "audit",
    summary: "Set a flag's value in one environment back to an earlier audited version, as a new version",
    description:
      "History is never rewritten: the restored value gets a new version, its own audit row and is published to every SDK. " +
      "Needs write access there and reviewer access to the history. With expectedVersion, a concurrent change makes this fail with 409 (details.currentVersion).",
    body: RollbackFlagValueSchema.omit({ namespace: true, key: true, environment: true }),
    response: FlagViewSchema,
    idempotent: true,
    errors: [400, 404, 409],
  }),
};

/** The value endpoints of the admin API, shared by the Next.js route files and the sidecar (node-api-adapter.ts). */
export const valueHandlers = {
  // Idempotency-Key: withApi puts the claim in ctx (spec.idempotent); the value-write queue records it.
  setValue: withApi(valueRoutes.setValue, ({ ctx, params, body }) => setFlagValue({ ctx, input: { ...body, ...params } })),
  setValues: withApi(valueRoutes.setValues, ({ ctx, body }) => setFlagValues({ ctx, input: body })),
  rollback: withApi(valueRoutes.rollback, ({ ctx, params, body }) => rollbackFlagValue({ ctx, input: { ...body, ...params } })),
  valueVersions: withApi(valueRoutes.valueVersions, ({ ctx, params, query }) => listFlagValueVersions({ ctx, input: { ...query, ...params } })),
};
