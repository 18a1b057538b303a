import { ServiceError } from "../errors/service-error";

/**
 * What every rollback (a value, a flag's rules, a segment) checks and records: the version restored
 * must be earlier than the current one (400 otherwise), and the new change's audit reason names the
 * version and the audit event it came from, followed by the caller's own reason.
 */
function rollbackReason(r: { subject?: string; toVersion: number; currentVersion: number; eventId: number; reason?: string | undefined }): string {
  if (r.toVersion >= r.currentVersion) {
    throw new ServiceError("bad_request", `Version ${r.toVersion} is not earlier than the current version ${r.currentVersion}`);
  }
  const note = `Rollback${r.subject ? ` of ${r.subject}` : ""} to version ${r.toVersion} (audit event #${r.eventId})`;
  return r.reason ? `${note}: ${r.reason}` : note;
}

/**
 * The expectedVersion and reason of the write a rollback makes. Without the caller's own expected
 * version it is the one the rollback was checked against, so a change landing in between is a 409
 * instead of being silently undone.
 */
export function rollbackWrite(
  req: { toVersion: number; expectedVersion?: number | undefined; reason?: string | undefined },
  from: { currentVersion: number; eventId: number; subject?: string },
): { expectedVersion: number; reason: string } {
  const reason = rollbackReason({ ...from, toVersion: req.toVersion, reason: req.reason });
  return { expectedVersion: req.expectedVersion ?? from.currentVersion, reason };
}
