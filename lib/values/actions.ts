import { IdempotencyKeySchema } from "../http/idempotency";
import type { FlagView } from "../flags/schemas";
import { runOnce } from "../idempotency/run-once";
import { defineAction } from "../actions/define-action";
import { defined, FieldProblem, formCodec, int, json, optInt, optText, text, value, type Decoder } from "../actions/form-codec";
import { rollbackFlagValue } from "./rollback-flag-value";
import { setFlagValue } from "./set-flag-value";

/** The value server actions; the verbs' own schemas (SetFlagValueSchema, RollbackFlagValueSchema) validate. */
const ref = { namespace: text, key: text, environment: text };

const short = (v: unknown) => {
  const s = JSON.stringify(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
};

/** The console's per-edit key, checked by the same rule as the admin API's Idempotency-Key header. */
const idempotencyKey: Decoder<string | undefined> = (v) => {
  if (v === undefined) return undefined;
  const r = IdempotencyKeySchema.safeParse(v);
  if (!r.success) throw new FieldProblem(r.error.issues[0]?.message ?? "is not a valid idempotency key");
  return r.data;
};

/**
 * The console's save carries an idempotency key made once per edit: pressing Save again after an
 * unclear outcome (commit_outcome_unknown, a lost connection) can never save twice. The value comes
 * from a client component (`value`) or as JSON text typed in a form (`valueJson`).
 */
export const setFlagValueAction = defineAction({
  name: "setFlagValue",
  codec: formCodec(
    { ...ref, value, valueJson: json, expectedVersion: optInt, reason: optText, idempotencyKey },
    ({ value, valueJson, ...rest }) => defined({ ...rest, value: valueJson !== undefined ? valueJson : value }),
  ),
  // The key is the action's, not the verb's: it decides whether the verb runs at all.
  run: async ({ ctx, input: { idempotencyKey, ...input } }) => {
    if (!idempotencyKey) return setFlagValue({ ctx, input });
    const out = await runOnce(ctx, idempotencyKey, `action setFlagValue\n${JSON.stringify(input)}`, 200, (claim) => setFlagValue({ ctx, input, claim }));
    return out.replayed ? (JSON.parse(out.json) as FlagView) : out.value;
  },
  success: (f, i) => {
    const v = f.values[i.environment];
    return `${f.namespace}/${f.key} in ${i.environment} is now ${short(v?.value)} (version ${v?.version})`;
  },
});

export const rollbackFlagValueAction = defineAction({
  name: "rollbackFlagValue",
  codec: formCodec({ ...ref, toVersion: int, expectedVersion: optInt, reason: optText }),
  run: rollbackFlagValue,
  success: (f, i) => {
    const v = f.values[i.environment];
    return `Rolled ${f.namespace}/${f.key} in ${i.environment} back to the value of version ${i.toVersion}; it is now version ${v?.version}`;
  },
});
