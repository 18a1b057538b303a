import { ServiceError } from "../errors/service-error";
import type { ApiRequest } from "./api-request";

/** Largest accepted request body. Flag values are capped at 32 KiB, so this leaves ample room. */
export const MAX_BODY_BYTES = 256 * 1024;

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

const tooLarge = (limit: number) =>
  new ServiceError("payload_too_large", `Request body is larger than ${limit} bytes`, { details: { maxBytes: limit } });

/**
 * Reads and parses a JSON request body, never buffering more than `limit` bytes: a declared
 * Content-Length over the limit is refused before reading, and a chunked body is cut off as soon as
 * it passes the limit. Returns undefined for an empty body.
 */
export async function readJsonBody(req: Pick<ApiRequest, "headers" | "bodyBytes">, limit = MAX_BODY_BYTES): Promise<unknown> {
  const declared = Number(req.headers.get("content-length") ?? "");
  if (Number.isFinite(declared) && declared > limit) throw tooLarge(limit);
  const bytes = await req.bodyBytes(limit);
  if (bytes.length > limit) throw tooLarge(limit);
  if (bytes.length === 0) return undefined;
  if (!JSON_TYPE.test(req.headers.get("content-type") ?? "")) {
    throw new ServiceError("bad_request", "Content-Type must be application/json");
  }
  return parseJsonBytes(bytes, "Request body");
}

/**
 * UTF-8 JSON from raw bytes, as a 400 naming `what` when it is not. The parser's message only
 * describes the caller's own input (position, token), so passing it on is safe.
 */
export function parseJsonBytes(bytes: Uint8Array, what: string): unknown {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new ServiceError("bad_request", `${what} is not valid UTF-8`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ServiceError("bad_request", `Malformed JSON in ${what.toLowerCase()}: ${(err as Error).message}`);
  }
}
