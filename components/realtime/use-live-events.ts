"use client";

import { useEffect, useState } from "react";

export interface LiveEvent {
  op: "put" | "delete";
  revision: number;
  environment: string;
  namespace: string;
  key: string;
  value?: unknown;
  version: number;
  updatedAt?: string;
  receivedAt: string;
  latencyMs: number | null;
}

const KEEP = 200;

/**
 * Subscribes to the console's live stream (server-sent events, session cookie). The browser's
 * EventSource reconnects by itself with Last-Event-ID; a "ready" event tells how many flags are live.
 */
export function useLiveEvents() {
  const [events, setEvents] = useState<LiveEvent[]>([]);
  const [status, setStatus] = useState<"connecting" | "live" | "error">("connecting");
  const [error, setError] = useState("");
  const [flagCount, setFlagCount] = useState(0);
  useEffect(() => {
    const es = new EventSource("/api/console/realtime/stream");
    const onFlag = (op: "put" | "delete") => (msg: MessageEvent<string>) => {
      const d = JSON.parse(msg.data) as Omit<LiveEvent, "op" | "receivedAt" | "latencyMs">;
      const now = Date.now();
      const latencyMs = d.updatedAt ? Math.max(0, now - Date.parse(d.updatedAt)) : null;
      setEvents((list) => [{ ...d, op, receivedAt: new Date(now).toISOString(), latencyMs }, ...list].slice(0, KEEP));
    };
    es.addEventListener("ready", (msg) => {
      setStatus("live");
      setFlagCount((JSON.parse((msg as MessageEvent<string>).data) as { flags: number }).flags);
    });
    es.addEventListener("put", onFlag("put"));
    es.addEventListener("delete", onFlag("delete"));
    es.addEventListener("denied", (msg) => {
      setStatus("error");
      setError((JSON.parse((msg as MessageEvent<string>).data) as { message: string }).message);
      es.close();
    });
    es.onerror = () => {
      if (es.readyState === EventSource.CLOSED) {
        setStatus("error");
        setError("disconnected; reload the page");
      } else setStatus("connecting");
    };
    return () => es.close();
  }, []);
  return { events, status, error, flagCount };
}
