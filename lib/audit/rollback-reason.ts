import { ServiceError } from "../errors/service-error";

/**
 * What every rollback (a value, a flag's rules, a segment) checks and records: the version restored
 * must be earlier than the current one (400 otherwise), and the new change's audit reason names the
 * version and the audit event it came from, followed by the caller's own reason.
 */
export function rollbackReason(r: { subject?: string; toVersion: number; currentVersion: number; eventId: number; reason?: string | undefined }): string {
  if (r.toVersion >= r.currentVersion) {
    throw new ServiceError("bad_request", `Version ${r.toVersion} is not earlier than the current version ${r.currentVersion}`);
  }
  const note = `Rollback${r.subject ? ` of ${r.subject}` : ""} to version ${r.toVersion} (audit event #${r.eventId})`;
  return r.reason ? `${note}: ${r.reason}` : note;
}
