import { ClientClosedError, GRPCDeadlineExceededError, isRecoverableError } from "etcd3";
import { TimeoutError } from "./timing";

/**
 * True when an error means "etcd could not be reached or did not answer" rather than "this request
 * was wrong": connection refused/unavailable (etcd3 marks those recoverable), its circuit breaker
 * refusing calls while a host is considered down, deadlines and our own timeouts. Such failures are
 * nobody's row's fault: the relay backs off as a whole and counts no attempts.
 */
export function isEtcdUnavailable(err: unknown): boolean {
  if (!err || typeof err !== "object") return false;
  if (err instanceof TimeoutError || err instanceof GRPCDeadlineExceededError || err instanceof ClientClosedError) return true;
  if ((err as { isBrokenCircuitError?: unknown }).isBrokenCircuitError === true) return true;
  try {
    return isRecoverableError(err as Error);
  } catch {
    return false;
  }
}
