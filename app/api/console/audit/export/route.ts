import { withApi } from "@/lib/http/with-api";
import { exportAuditEvents } from "@/lib/services/audit/export-audit";
import { consoleRoutes } from "../../_lib/console-routes";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/** Streams the export; permission and input are checked before the response starts. */
export const GET = withApi(consoleRoutes.auditExport, async ({ ctx, query }) => {
  const out = await exportAuditEvents({ ctx, input: query });
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await out.chunks.next();
      if (next.done) controller.close();
      else controller.enqueue(encoder.encode(next.value));
    },
    async cancel() {
      await out.chunks.return(undefined);
    },
  });
  return new Response(body, {
    headers: { "content-type": out.contentType, "content-disposition": `attachment; filename="${out.filename}"` },
  });
});
