/**
 * GET JSON from a console endpoint; a failure becomes an Error whose message is the server's plain
 * explanation (the error body), so react-query shows words, not status codes.
 */
export async function fetchJson<T>(url: string): Promise<T> {
  let res: Response;
  try {
    res = await fetch(url, { headers: { accept: "application/json" }, cache: "no-store" });
  } catch {
    throw new Error("The server could not be reached. Check your connection and try again.");
  }
  if (res.status === 401) {
    window.location.assign(`/login?callbackUrl=${encodeURIComponent(window.location.pathname + window.location.search)}`);
    throw new Error("Your session has ended. Sign in again.");
  }
  const body = (await res.json().catch(() => null)) as { error?: { message?: string } } | null;
  if (!res.ok) throw new Error(body?.error?.message ?? `The request failed (${res.status}).`);
  return body as T;
}
