/**
 * A streamed file download from an async generator of text chunks (the audit export). The generator
 * is pulled one chunk at a time, so a large export never sits in memory, and it is closed when the
 * client goes away.
 */
export function downloadResponse(out: { contentType: string; filename: string; chunks: AsyncGenerator<string> }): Response {
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
}
