import { defineAction } from "../actions/define-action";
import { formCodec, int, optInt, optText, text, value } from "../actions/form-codec";
import { rollbackTargeting } from "./rollback-targeting";
import { setTargeting } from "./targeting-verbs";

/**
 * Console actions for a flag's rules (issue 14). The rule editor sends JSON, so the codec passes the
 * targeting through and the verb parses it once with its own schema (rules/schemas.ts): a 422 from
 * the console names the same path as the admin API (`rules.0.constraints.1.value`); the verb checks
 * flag:write on the environment.
 */
export const setTargetingAction = defineAction({
  name: "setTargeting",
  codec: formCodec({
    namespace: text,
    key: text,
    environment: text,
    enabled: value,
    offValue: value,
    variants: value,
    prerequisites: value,
    rules: value,
    expectedVersion: optInt,
    reason: optText,
  }),
  run: setTargeting,
  success: (t) => `Saved the rules of ${t.namespace}/${t.key} in ${t.environment} (version ${t.version})`,
});

/** Rules rollback (the rules of an earlier audited version saved again); the verb checks audit:read and flag:write there. */
export const rollbackTargetingAction = defineAction({
  name: "rollbackTargeting",
  codec: formCodec({ namespace: text, key: text, environment: text, toVersion: int, expectedVersion: optInt, reason: optText }),
  run: rollbackTargeting,
  success: (t, i) => `Rolled the rules of ${t.namespace}/${t.key} in ${t.environment} back to those of version ${i.toVersion}; it is now version ${t.version}`,
});
