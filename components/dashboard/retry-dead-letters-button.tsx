"use client";

import { retryDeadLettersAction } from "@/lib/outbox/server-actions";
import { useServerAction } from "../use-server-action";

export function RetryDeadLettersButton() {
  const { run, pending } = useServerAction(retryDeadLettersAction);
  return (
    <button type="button" disabled={pending} onClick={() => run({})} style={{ marginLeft: "0.5rem" }}>
      {pending ? "Retrying…" : "Retry them now"}
    </button>
  );
}
