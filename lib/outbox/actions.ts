import { defineAction } from "../actions/define-action";
import { formCodec, optText, type Decoder } from "../actions/form-codec";
import { retryDeadLetters } from "./dead-letters";

/** The outbox server action; the verb's schema in ./schemas.ts validates the input. */
// Row ids come only from the console's client component (a JSON array), never typed in a form.
const ids: Decoder<number[] | undefined> = (v) => v as number[] | undefined;

export const retryDeadLettersAction = defineAction({
  name: "retryDeadLetters",
  codec: formCodec({ ids, reason: optText }),
  run: retryDeadLetters,
  success: (r) => (r.retried ? `Queued ${r.retried} row(s) for publishing again` : "There was nothing to retry"),
});
