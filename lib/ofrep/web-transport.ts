import { clientAddressFromForwarded } from "../delivery/stream/client-address";
import { readWebBody } from "../delivery/presence/report-transport";
import { QUEUE_HIGH_WATER, WebSink } from "../delivery/stream/web-adapter";
import type { OfrepService } from "./ofrep-service";

/** Web-standard (Request -> Response) transport of /ofrep/v1/*, for the Next.js route handlers. */
export async function ofrepResponse(service: OfrepService, request: Request): Promise<Response> {
  const url = new URL(request.url);
  const outcome = await service.handle({
    method: request.method,
    path: url.pathname,
    header: (name) => request.headers.get(name),
    query: url.searchParams,
    // Next.js fills X-Forwarded-For with the socket address when no proxy set it.
    address: clientAddressFromForwarded(request.headers.get("x-forwarded-for"), service.trustProxy),
    readBody: (limit) => readWebBody(request, limit),
  });
  if (outcome.kind === "reply") {
    const { reply } = outcome;
    return new Response(reply.status === 204 || reply.status === 304 ? null : reply.body, { status: reply.status, headers: reply.headers });
  }
  let conn: { close(): void } | null = null;
  const body = new ReadableStream<Uint8Array>(
    {
      start: (controller) => {
        conn = outcome.open(new WebSink(controller));
      },
      cancel: () => conn?.close(),
    },
    new ByteLengthQueuingStrategy({ highWaterMark: QUEUE_HIGH_WATER }),
  );
  request.signal?.addEventListener("abort", () => conn?.close(), { once: true });
  return new Response(body, { status: 200, headers: outcome.headers });
}
