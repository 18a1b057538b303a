import { PREFLIGHT_HEADERS, STREAM_HEADERS, type HttpReply } from "./http-shape";
import { clientAddressFromForwarded, TRUST_NONE, type TrustProxy } from "./client-address";
import type { SdkRequest } from "./request-credentials";
import type { StreamConnection, StreamSink } from "./stream-connection";
import type { StreamCore } from "./stream-core";

/**
 * Web-standard (Request -> Response) transport of the SDK endpoints, for the Next.js route
 * handlers. The body is a ReadableStream whose queue is the per-connection buffer: its desired
 * size tells how far the client lags (Next.js pipes it to the socket with backpressure).
 */
export const QUEUE_HIGH_WATER = 16 * 1024;

/** The SSE sink of a web Response body; OFREP's event stream (lib/ofrep/web-transport.ts) uses it too. */
export class WebSink implements StreamSink {
  private done = false;
  constructor(private readonly controller: ReadableStreamDefaultController<Uint8Array>) {}
  write(chunk: Buffer): void {
    if (!this.done) this.controller.enqueue(chunk);
  }
  buffered(): number {
    return QUEUE_HIGH_WATER - (this.controller.desiredSize ?? QUEUE_HIGH_WATER);
  }
  close(abort: boolean): void {
    if (this.done) return;
    this.done = true;
    if (abort) this.controller.error(new Error("slow consumer disconnected"));
    else this.controller.close();
  }
}

export function toSdkRequest(request: Request, trust: TrustProxy = TRUST_NONE): SdkRequest {
  const url = new URL(request.url);
  return {
    header: (name) => request.headers.get(name),
    query: url.searchParams,
    // Next.js fills X-Forwarded-For with the socket address when no proxy set it.
    address: clientAddressFromForwarded(request.headers.get("x-forwarded-for"), trust),
  };
}

function toResponse(reply: HttpReply): Response {
  return new Response(reply.status === 304 ? null : reply.body, { status: reply.status, headers: reply.headers });
}

export function preflightResponse(): Response {
  return new Response(null, { status: 204, headers: PREFLIGHT_HEADERS });
}

export async function streamResponse(core: StreamCore, request: Request): Promise<Response> {
  const admission = await core.admit(toSdkRequest(request, core.trustProxy), "stream");
  if (!admission.ok) return toResponse(admission.reply);
  let conn: StreamConnection | null = null;
  const body = new ReadableStream<Uint8Array>(
    {
      start: (controller) => {
        conn = core.open(admission, new WebSink(controller));
      },
      cancel: () => conn?.close("client"),
    },
    new ByteLengthQueuingStrategy({ highWaterMark: QUEUE_HIGH_WATER }),
  );
  request.signal?.addEventListener("abort", () => conn?.close("client"), { once: true });
  return new Response(body, { status: 200, headers: STREAM_HEADERS });
}

export async function flagsResponse(core: StreamCore, request: Request): Promise<Response> {
  const admission = await core.admit(toSdkRequest(request, core.trustProxy), "flags");
  if (!admission.ok) return toResponse(admission.reply);
  return toResponse(core.flags(admission, request.headers.get("if-none-match")));
}
