/** A parsed SSE block: an event, a comment (heartbeat) or a bare retry line. */
export interface SseMessage {
  event: string;
  id: string | null;
  data: string;
  comment: string | null;
  retry: number | null;
}

/**
 * Incremental parser of a text/event-stream (enough of the spec for our protocol tests: fields
 * event, id, data, retry and comments; LF line endings). Feed chunks, get complete blocks.
 */
export class SseParser {
  private buf = "";

  feed(chunk: string): SseMessage[] {
    this.buf += chunk;
    const out: SseMessage[] = [];
    for (let i = this.buf.indexOf("\n\n"); i >= 0; i = this.buf.indexOf("\n\n")) {
      const block = this.buf.slice(0, i);
      this.buf = this.buf.slice(i + 2);
      const msg: SseMessage = { event: "message", id: null, data: "", comment: null, retry: null };
      const data: string[] = [];
      for (const line of block.split("\n")) {
        if (line.startsWith(":")) msg.comment = line.slice(1).trim();
        else {
          const c = line.indexOf(":");
          const field = c < 0 ? line : line.slice(0, c);
          const value = c < 0 ? "" : line.slice(c + 1).replace(/^ /, "");
          if (field === "event") msg.event = value;
          else if (field === "id") msg.id = value;
          else if (field === "data") data.push(value);
          else if (field === "retry") msg.retry = Number(value);
        }
      }
      msg.data = data.join("\n");
      out.push(msg);
    }
    return out;
  }
}
