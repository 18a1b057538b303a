import { toErrorResponse } from "../errors/http";
import { ServiceError } from "../errors/service-error";

/**
 * The replay answer of a create that returns a secret once (API tokens, SDK keys): the plaintext
 * secret is never written to idempotency_keys, so a retry with the same Idempotency-Key and body
 * cannot show it again. It gets 409 conflict naming what was created (the view, without the
 * secret) instead of a second secret: nothing is created twice, and a client that lost the first
 * answer learns which credential to revoke before it creates another.
 */
export function secretShownOnce(secretField: string, what: string) {
  return (result: unknown): { status: number; json: string } => {
    const { [secretField]: _secret, ...created } = result as Record<string, unknown>;
    const err = new ServiceError(
      "conflict",
      `This ${what} was already created with this Idempotency-Key; its secret is shown only once, in the first answer. Revoke it and create another if the secret was lost.`,
      { details: { alreadyCreated: true, ...created } },
    );
    const { status, body } = toErrorResponse(err);
    return { status, json: JSON.stringify(body) };
  };
}
