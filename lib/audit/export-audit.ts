import { parseInput } from "../validation/parse";
import { assertCan } from "../auth/permissions";
import type { ServiceContext } from "../core/context";
import { auditWhere, beforeId, nextCursorOf, selectAuditPage, toAuditView } from "./audit-query";
import { ExportAuditSchema, type AuditEventView } from "./schemas";

const PAGE = 1000;

export const CSV_COLUMNS = [
  "id", "occurredAt", "actorType", "actorId", "actorName", "ip", "traceId", "action", "targetType", "targetId",
  "namespace", "environment", "flag", "reason", "before", "after",
] as const;

/**
 * One CSV cell (RFC 4180). Cells that a spreadsheet would run as a formula (=, +, -, @, tab, CR) get a
 * leading apostrophe: audit data includes user-typed reasons and flag values.
 */
export function csvCell(v: unknown): string {
  let s = v === null || v === undefined ? "" : typeof v === "string" ? v : JSON.stringify(v);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvLine(e: AuditEventView): string {
  return CSV_COLUMNS.map((c) => csvCell(e[c])).join(",") + "\r\n";
}

/**
 * Exports the filtered audit history as CSV or JSON, streamed over keyset pages of at most 1000 rows
 * and the byte budget of audit-query.ts, one row per chunk, so memory stays at one page whatever the
 * export's size (the response stream pulls the next chunk only when the client has taken the last). Checks the permission and parses the input before the first byte, so a refusal is a real error
 * response, not a broken download.
 */
export async function exportAuditEvents({ ctx, input }: { ctx: ServiceContext; input: unknown }): Promise<{
  contentType: string;
  filename: string;
  chunks: AsyncGenerator<string>;
}> {
  const data = parseInput(ExportAuditSchema, input);
  if (data.namespace) assertCan(ctx.actor, "audit:read", { namespaceKey: data.namespace });
  const where = (cursor?: number) => auditWhere(ctx, data, [beforeId(cursor)]);
  where(); // throws now (not mid-stream) when the actor may not read any audit history
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  async function* chunks(): AsyncGenerator<string> {
    let cursor: number | undefined;
    let sent = 0;
    if (data.format === "csv") yield CSV_COLUMNS.join(",") + "\r\n";
    else yield "[";
    while (sent < data.limit) {
      const page = await selectAuditPage(ctx, where(cursor), Math.min(PAGE, data.limit - sent));
      for (const r of page.rows) {
        const view = toAuditView(r);
        yield data.format === "csv" ? csvLine(view) : `${sent ? "," : ""}\n${JSON.stringify(view)}`;
        sent++;
      }
      const next = nextCursorOf(page);
      if (next === null) break;
      cursor = next;
    }
    if (data.format === "json") yield "\n]\n";
  }
  return {
    contentType: data.format === "csv" ? "text/csv; charset=utf-8" : "application/json; charset=utf-8",
    filename: `mizuflow-audit-${stamp}.${data.format}`,
    chunks: chunks(),
  };
}
