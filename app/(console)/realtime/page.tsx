import type { Metadata } from "next";
import { RealtimePanel } from "@/components/realtime/realtime-panel";
import { requireConsoleContext } from "../_lib/context";

export const metadata: Metadata = { title: "Realtime" };

export default async function RealtimePage() {
  await requireConsoleContext("/realtime");
  return (
    <>
      <h1>Realtime</h1>
      <p className="muted">Flag changes as SDKs receive them (only namespaces you can read), open SDK streams, how many SDK clients have applied the latest changes, and how long a change takes from commit to push.</p>
      <RealtimePanel />
    </>
  );
}
