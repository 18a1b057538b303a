import { archiveFlag } from "./archive-flag";
import { createFlag } from "./create-flag";
import { deleteFlag } from "./delete-flag";
import { updateFlag } from "./update-flag";
import { defineAction } from "../actions/define-action";
import { checkbox, clearable, defined, formCodec, invalid, json, list, optInt, optText, text, value } from "../actions/form-codec";

/**
 * The flag server actions (values are in lib/values/actions.ts). Each names its verb and a form
 * codec; the verb's schema in ./schemas.ts is the only validation of the input.
 */
const ref = { namespace: text, key: text };

/** The default as a JSON value from a client component (`defaultValue`) or JSON text from a form (`defaultValueJson`). */
const withDefault = <F extends { defaultValue?: unknown; defaultValueJson?: unknown }>({ defaultValue, defaultValueJson, ...rest }: F) =>
  defined({ ...rest, defaultValue: defaultValueJson !== undefined ? defaultValueJson : defaultValue });

export const createFlagAction = defineAction({
  name: "createFlag",
  codec: formCodec({ ...ref, type: text, description: optText, tags: list, defaultValue: value, defaultValueJson: json, reason: optText }, withDefault),
  run: createFlag,
  success: (f) => `Created flag ${f.namespace}/${f.key}`,
});

export const updateFlagAction = defineAction({
  name: "updateFlag",
  codec: formCodec(
    { ...ref, description: clearable, tags: list, defaultValue: value, defaultValueJson: json, expectedVersion: optInt, reason: optText },
    withDefault,
  ),
  run: updateFlag,
  success: (f) => `Saved the settings of ${f.namespace}/${f.key}`,
});

export const archiveFlagAction = defineAction({
  name: "archiveFlag",
  codec: formCodec({ ...ref, archived: checkbox, expectedVersion: optInt, reason: optText }),
  run: archiveFlag,
  success: (f) => (f.archived ? `Archived ${f.namespace}/${f.key}; SDKs no longer receive it` : `Restored ${f.namespace}/${f.key}; SDKs receive it again`),
});

/**
 * Deleting asks for the flag key typed again. That is the form's check, not the verb's (the API has
 * no such field), so it is here: a stray click can never delete.
 */
export const deleteFlagAction = defineAction({
  name: "deleteFlag",
  codec: formCodec({ ...ref, confirm: value, expectedVersion: optInt, reason: optText }, ({ confirm, ...input }) => {
    if (confirm !== input.key) throw invalid([{ path: "confirm", message: "must be the flag key, typed again to confirm" }]);
    return input;
  }),
  run: deleteFlag,
  success: (_r, i) => `Deleted ${i.namespace}/${i.key}`,
});
