import { defineAction } from "../actions/define-action";
import { formCodec, optText, text } from "../actions/form-codec";
import { createEnvironment } from "./environment-verbs";

/** The environment server actions; the verb's schema in ./schemas.ts validates the input. */
export const createEnvironmentAction = defineAction({
  name: "createEnvironment",
  codec: formCodec({ key: text, name: text, description: optText, reason: optText }),
  run: createEnvironment,
  success: (e) => `Created environment ${e.key}; every flag got its default value there`,
});
