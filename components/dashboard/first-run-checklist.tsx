"use client";

import Link from "next/link";
import { useEffect, useState } from "react";

export interface ChecklistState {
  hasFlag: boolean;
  /** SDK clients reporting to any process (presence), for the "connect an SDK" step. */
  connectedClients: number;
  hasChange: boolean;
  environments: string[];
  firstFlag: { namespace: string; key: string } | null;
}

/**
 * The dashboard's first-run checklist: create a flag, connect an SDK (a snippet for the chosen
 * environment, copyable, reading the key from the environment rather than pasting a secret into
 * code), and watch a change arrive live. Each step is ticked from what the server knows.
 */
export function FirstRunChecklist({ state, canWrite }: { state: ChecklistState; canWrite: boolean }) {
  const [env, setEnv] = useState(state.environments.includes("production") ? "production" : (state.environments[0] ?? ""));
  const [copied, setCopied] = useState(false);
  // The address the browser reached the console at (set after mount, so server and client agree).
  const [origin, setOrigin] = useState("https://mizuflow.example.com");
  useEffect(() => setOrigin(window.location.origin), []);
  const flag = state.firstFlag ?? { namespace: "my-namespace", key: "my-flag" };
  const snippet = `import { createClient } from "@mizuflow/sdk/node";

// An SDK key for the "${env}" environment (SDK keys page); keep it out of the code.
const client = createClient({ url: "${origin}", sdkKey: process.env.MIZUFLOW_SDK_KEY! });
await client.ready({ live: true });
client.on("change", () => console.log("${flag.namespace}/${flag.key} =", client.getBoolean("${flag.namespace}", "${flag.key}", false)));`;
  const steps = [
    { done: state.hasFlag, title: "Create a flag", body: canWrite ? <Link href="/flags/new">Create your first flag</Link> : <span className="muted">Ask an editor to create one.</span> },
    {
      done: state.connectedClients > 0,
      title: "Connect an SDK",
      body: (
        <div className="stack" style={{ gap: "0.4rem" }}>
          <span>
            Create an SDK key on the <Link href="/sdk-keys">SDK keys</Link> page, then run this with <code>MIZUFLOW_SDK_KEY</code> set:
          </span>
          <label className="row" style={{ fontWeight: 400 }}>
            Environment
            <select value={env} onChange={(e) => setEnv(e.target.value)} style={{ width: "auto" }}>
              {state.environments.map((e) => <option key={e} value={e}>{e}</option>)}
            </select>
          </label>
          <pre className="value-box" data-testid="sdk-snippet">{snippet}</pre>
          <div>
            <button type="button" onClick={() => navigator.clipboard.writeText(snippet).then(() => setCopied(true), () => setCopied(false))}>
              {copied ? "Copied" : "Copy snippet"}
            </button>
          </div>
        </div>
      ),
    },
    { done: state.hasChange && state.connectedClients > 0, title: "See a change arrive live", body: <span>Open the <Link href="/realtime">Realtime</Link> page, then change a flag&apos;s value: the event and the client count appear there within a second.</span> },
  ];
  if (steps.every((s) => s.done)) return null;
  return (
    <section className="panel" aria-labelledby="d-start">
      <h2 id="d-start">Get started</h2>
      <ol className="checklist">
        {steps.map((s) => (
          <li key={s.title} data-done={s.done}>
            <strong>{s.done ? "✓ " : ""}{s.title}</strong>
            <span className="visually-hidden">{s.done ? " (done)" : " (to do)"}</span>
            {!s.done && <div>{s.body}</div>}
          </li>
        ))}
      </ol>
    </section>
  );
}
