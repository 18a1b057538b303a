import { z } from "zod";
import { rollbackFlagValue } from "../../services/audit/rollback-flag-value";
import { archiveFlag } from "../../services/flags/archive-flag";
import { createFlag } from "../../services/flags/create-flag";
import { deleteFlag } from "../../services/flags/delete-flag";
import { setFlagValue } from "../../services/flags/set-flag-value";
import { updateFlag } from "../../services/flags/update-flag";
import { defineAction } from "../define-action";
import { checkbox, clearableText, int, jsonText, optInt, optList, optText } from "../form-input";

const ref = { namespace: z.string(), key: z.string() };
/** A value from a client component (`value`), or typed as JSON text in a form (`valueJson`). */
const valueFields = { value: z.unknown().optional(), valueJson: jsonText.optional() };
const pickValue = (i: { value?: unknown; valueJson?: unknown }) => (i.valueJson !== undefined ? i.valueJson : i.value);

const short = (v: unknown) => {
  const s = JSON.stringify(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
};

export const createFlagAction = defineAction({
  name: "createFlag",
  input: z.object({
    ...ref,
    type: z.string(),
    description: optText,
    tags: optList,
    defaultValue: z.unknown().optional(),
    defaultValueJson: jsonText.optional(),
    reason: optText,
  }),
  run: ({ ctx, input: { defaultValueJson, defaultValue, ...rest } }) =>
    createFlag({ ctx, input: { ...rest, defaultValue: defaultValueJson !== undefined ? defaultValueJson : defaultValue } }),
  success: (f) => `Created flag ${f.namespace}/${f.key}`,
});

export const updateFlagAction = defineAction({
  name: "updateFlag",
  input: z.object({
    ...ref,
    description: clearableText,
    tags: optList,
    defaultValue: z.unknown().optional(),
    defaultValueJson: jsonText.optional(),
    expectedVersion: optInt,
    reason: optText,
  }),
  run: ({ ctx, input: { defaultValueJson, defaultValue, ...rest } }) =>
    updateFlag({ ctx, input: { ...rest, defaultValue: defaultValueJson !== undefined ? defaultValueJson : defaultValue } }),
  success: (f) => `Saved the settings of ${f.namespace}/${f.key}`,
});

export const setFlagValueAction = defineAction({
  name: "setFlagValue",
  input: z.object({ ...ref, environment: z.string(), ...valueFields, expectedVersion: optInt, reason: optText }),
  run: ({ ctx, input: { value, valueJson, ...rest } }) => setFlagValue({ ctx, input: { ...rest, value: pickValue({ value, valueJson }) } }),
  success: (f, i) => {
    const v = f.values[i.environment];
    return `${f.namespace}/${f.key} in ${i.environment} is now ${short(v?.value)} (version ${v?.version})`;
  },
});

export const archiveFlagAction = defineAction({
  name: "archiveFlag",
  input: z.object({ ...ref, archived: checkbox, expectedVersion: optInt, reason: optText }),
  run: ({ ctx, input }) => archiveFlag({ ctx, input }),
  success: (f) => (f.archived ? `Archived ${f.namespace}/${f.key}; SDKs no longer receive it` : `Restored ${f.namespace}/${f.key}; SDKs receive it again`),
});

/** Deleting asks for the flag key typed again; the check is here so a stray click can never delete. */
export const deleteFlagAction = defineAction({
  name: "deleteFlag",
  input: z
    .object({ ...ref, confirm: z.string().optional(), expectedVersion: optInt, reason: optText })
    .refine((i) => i.confirm === i.key, { path: ["confirm"], message: "must be the flag key, typed again to confirm" }),
  run: ({ ctx, input: { confirm: _confirm, ...rest } }) => deleteFlag({ ctx, input: rest }),
  success: (_r, i) => `Deleted ${i.namespace}/${i.key}`,
});

export const rollbackFlagValueAction = defineAction({
  name: "rollbackFlagValue",
  input: z.object({ ...ref, environment: z.string(), toVersion: int, expectedVersion: optInt, reason: optText }),
  run: ({ ctx, input }) => rollbackFlagValue({ ctx, input }),
  success: (f, i) => {
    const v = f.values[i.environment];
    return `Rolled ${f.namespace}/${f.key} in ${i.environment} back to the value of version ${i.toVersion}; it is now version ${v?.version}`;
  },
});
