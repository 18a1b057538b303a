import type { ApiResponse, CallOptions } from "./api-test-harness";

/**
 * Calls the admin API over real HTTP (the worker's node:http adapter), taking the same options and
 * answering in the same shape as the harness's in-process `call`, so a test can run one check
 * against both transports and compare their answers.
 */
export async function fetchApi(baseUrl: string, method: string, path: string, opts: CallOptions = {}): Promise<ApiResponse> {
  const headers = new Headers(opts.headers);
  if (opts.token) headers.set("authorization", `Bearer ${opts.token}`);
  const body = opts.json === undefined ? opts.body : JSON.stringify(opts.json);
  if (body !== undefined && !headers.has("content-type")) headers.set("content-type", "application/json");
  const init: RequestInit & { duplex?: "half" } = { method, headers, body };
  // Node's fetch refuses a streamed body unless told it is sent half-duplex.
  if (body instanceof ReadableStream) init.duplex = "half";
  const res = await fetch(baseUrl + path, init);
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, json, text };
}
