import { defineAction } from "../actions/define-action";
import { clearable, formCodec, invalid, optText, text, value } from "../actions/form-codec";
import { createNamespace, deleteNamespace, updateNamespace } from "./namespace-verbs";

/** The namespace server actions; the verbs' schemas in ./schemas.ts validate the input. */
export const createNamespaceAction = defineAction({
  name: "createNamespace",
  codec: formCodec({ key: text, name: text, description: optText, reason: optText }),
  run: createNamespace,
  success: (n) => `Created namespace ${n.key}`,
});

export const updateNamespaceAction = defineAction({
  name: "updateNamespace",
  codec: formCodec({ key: text, name: optText, description: clearable, reason: optText }),
  run: updateNamespace,
  success: (n) => `Saved namespace ${n.key}`,
});

/** The namespace key typed again is the form's check (the API has no such field), so it is here. */
export const deleteNamespaceAction = defineAction({
  name: "deleteNamespace",
  codec: formCodec({ key: text, confirm: value, reason: optText }, ({ confirm, ...input }) => {
    if (confirm !== input.key) throw invalid([{ path: "confirm", message: "must be the namespace key, typed again to confirm" }]);
    return input;
  }),
  run: deleteNamespace,
  success: (_r, i) => `Deleted namespace ${i.key}`,
});
