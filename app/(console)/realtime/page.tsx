import type { Metadata } from "next";
import { RealtimePanel } from "@/components/realtime/realtime-panel";
import { readPresenceStats } from "@/lib/console/realtime-presence";
import { readRealtimeStats } from "@/lib/console/realtime-stats";
import { outboxStats } from "@/lib/outbox/outbox-stats";
import { requireConsoleContext } from "../_lib/context";

export const metadata: Metadata = { title: "Realtime" };

export default async function RealtimePage() {
  const ctx = await requireConsoleContext("/realtime");
  // The first figures are rendered with the page (no client round trip before they show); the
  // panel then polls the same figures from /api/console/realtime/stats.
  const [stats, outbox, presence] = await Promise.all([readRealtimeStats(), outboxStats({ ctx }), readPresenceStats(ctx.actor)]);
  return (
    <>
      <h1>Realtime</h1>
      <p className="muted">Flag changes as SDKs receive them (only namespaces you can read), open SDK streams, how many SDK clients have applied the latest changes, and how long a change takes from commit to push.</p>
      <RealtimePanel initial={{ ...stats, outbox, presence }} />
    </>
  );
}
