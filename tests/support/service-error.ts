import { expect } from "vitest";
import { ServiceError } from "../../lib/errors/service-error";

/**
 * Awaits a service call that must be refused: it rejects with a ServiceError (with this code, when
 * given). Returns the error so a test can check its issues or message too.
 */
export async function expectServiceError(p: Promise<unknown>, code?: string): Promise<ServiceError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ServiceError);
  if (code !== undefined) expect((err as ServiceError).code).toBe(code);
  return err as ServiceError;
}
