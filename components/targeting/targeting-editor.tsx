"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import type { FlagType } from "@/lib/db/schema/flags";
import { incompletePrerequisites, prerequisiteDrafts, splitTotal, toPrerequisites, type PrerequisiteDraft, type Rule, type Variant } from "@/lib/rules/console-model";
import type { TargetingView } from "@/lib/rules/schemas";
import { setTargetingAction } from "@/lib/rules/server-actions";
import { JsonDiff } from "../json-diff";
import { useServerAction } from "../use-server-action";
import { errorAt } from "./field-errors";
import { PrerequisitesEditor } from "./prerequisites-editor";
import { RuleCard } from "./rule-card";
import { VariantsEditor } from "./variants-editor";

interface Draft {
  enabled: boolean;
  offValue?: unknown;
  variants: Variant[];
  rules: Rule[];
  prerequisites: PrerequisiteDraft[];
}

function draftOf(t: Record<string, unknown>): Draft {
  return {
    enabled: t.enabled !== false,
    ...(t.offValue !== undefined ? { offValue: t.offValue } : {}),
    variants: (t.variants as Variant[] | undefined) ?? [],
    rules: ((t.rules as Rule[] | undefined) ?? []).map((r) => ({ ...r, constraints: r.constraints ?? [], segments: r.segments ?? [] })),
    prerequisites: prerequisiteDrafts(t.prerequisites),
  };
}

const defaultServe = (type: FlagType): Rule["serve"] => ({ value: type === "boolean" ? true : type === "number" ? 0 : type === "string" ? "" : {} });

/**
 * One environment's rules (issue 14): on/off and the off value, variants, prerequisites, ordered rules; saved with
 * the version it was based on (409 shown like the value card's, nothing lost), 422 messages next to
 * the field whose path the server names.
 */
export function TargetingEditor({ view, type, segmentKeys, candidates, knownVariants, canWrite, envName }: { view: TargetingView; type: FlagType; segmentKeys: string[]; candidates: { key: string; type: string }[]; knownVariants: Record<string, string[]>; canWrite: boolean; envName: string }) {
  const router = useRouter();
  const env = view.environment;
  const [draft, setDraft] = useState<Draft>(() => draftOf(view.targeting));
  const [offText, setOffText] = useState(draft.offValue === undefined ? "" : JSON.stringify(draft.offValue));
  const [reason, setReason] = useState("");
  const [conflict, setConflict] = useState<{ version: number; theirs: unknown } | null>(null);
  const { run, pending, result } = useServerAction(setTargetingAction, { inlineCodes: ["conflict"] });
  const errors = result && !result.ok ? result.fieldErrors : undefined;
  const badPrereqs = incompletePrerequisites(draft.prerequisites);
  const badSplits = draft.rules.flatMap((r, i) => ("split" in r.serve && !splitTotal(r.serve.split.variants.map((w) => w.weight)).ok ? [i + 1] : []));
  const set = (patch: Partial<Draft>) => setDraft((d) => ({ ...d, ...patch }));
  const rule = (i: number, r: Rule) => set({ rules: draft.rules.map((x, j) => (j === i ? r : x)) });
  const move = (i: number, delta: -1 | 1) => {
    const rules = [...draft.rules];
    const [r] = rules.splice(i, 1);
    rules.splice(i + delta, 0, r!);
    set({ rules });
  };
  // What the server stores: prerequisites in the model's shape, so the conflict diff compares like with like.
  const payload = () => ({ ...draft, prerequisites: toPrerequisites(draft.prerequisites) });
  const save = async () => {
    setConflict(null);
    const r = await run({ namespace: view.namespace, key: view.key, environment: env, ...payload(), expectedVersion: conflict?.version ?? view.version, ...(reason ? { reason } : {}) });
    if (!r.ok && r.code === "conflict" && typeof r.details?.currentVersion === "number") setConflict({ version: r.details.currentVersion, theirs: (r.details.current as { targeting?: unknown } | undefined)?.targeting });
  };
  const unlisted = errors ? Object.entries(errors).filter(([k]) => !/^(rules|variants|prerequisites)\.\d+\./.test(k) && k !== "offValue" && k !== "prerequisites") : [];

  if (!canWrite) {
    return (
      <section className="env-card" aria-label={`Rules in ${env}`}>
        <h3>{envName} <code className="small muted">{env}</code></h3>
        <pre className="value-box small">{JSON.stringify(view.targeting, null, 2)}</pre>
        <p className="small muted">Read-only for your role.</p>
      </section>
    );
  }
  return (
    <form className="env-card" aria-label={`Rules in ${env}`} data-testid={`rules-${env}`} onSubmit={(e) => { e.preventDefault(); void save(); }}>
      <header>
        <h3>{envName} <code className="small muted">{env}</code></h3>
        <span className="small muted">v{view.version}</span>
      </header>
      <label className="checkbox">
        <input type="checkbox" checked={draft.enabled} onChange={(e) => set({ enabled: e.target.checked })} /> Targeting on (off: every context gets the off value)
      </label>
      <div className="field">
        <label htmlFor={`off-${env}`}>Off value (JSON; empty = {type === "boolean" ? "false" : "the environment's value"})</label>
        <input
          id={`off-${env}`}
          type="text"
          value={offText}
          onChange={(e) => {
            setOffText(e.target.value);
            if (e.target.value.trim() === "") set({ offValue: undefined });
            else {
              try {
                set({ offValue: JSON.parse(e.target.value) });
              } catch {
                /* kept as typed; the server names the field if it is sent malformed */
              }
            }
          }}
        />
        {errorAt(errors, "offValue") && <span className="error">{errorAt(errors, "offValue")}</span>}
      </div>
      <p className="small muted" style={{ margin: 0 }}>When no rule matches, the environment&apos;s value is served: <code>{JSON.stringify(view.value)}</code>.</p>
      <details>
        <summary>Variants ({draft.variants.length})</summary>
        <VariantsEditor variants={draft.variants} onChange={(variants) => set({ variants })} errors={errors} sample={view.value} />
      </details>
      <PrerequisitesEditor prerequisites={draft.prerequisites} onChange={(prerequisites) => set({ prerequisites })} candidates={candidates} knownVariants={knownVariants} errors={errors} />
      <h4 style={{ margin: 0 }}>Rules, first match wins</h4>
      <ol className="stack" style={{ listStyle: "none", padding: 0, margin: 0 }}>
        {draft.rules.map((r, i) => (
          <RuleCard key={i} rule={r} index={i} count={draft.rules.length} type={type} variants={draft.variants} segmentKeys={segmentKeys} errors={errors} onChange={(n) => rule(i, n)} onMove={(d) => move(i, d)} onRemove={() => set({ rules: draft.rules.filter((_, j) => j !== i) })} />
        ))}
      </ol>
      <div>
        <button type="button" onClick={() => set({ rules: [...draft.rules, { constraints: [], segments: [], serve: defaultServe(type) }] })}>Add rule</button>
      </div>
      {unlisted.length > 0 && (
        <ul className="alert warn small" role="alert">
          {unlisted.map(([k, m]) => <li key={k}><code>{k}</code>: {m}</li>)}
        </ul>
      )}
      <div className="field">
        <label htmlFor={`rules-reason-${env}`}>Reason (optional, recorded in the audit history)</label>
        <input id={`rules-reason-${env}`} type="text" maxLength={1000} value={reason} onChange={(e) => setReason(e.target.value)} />
      </div>
      {badPrereqs.length > 0 && <p className="alert warn small" role="status">Prerequisite {badPrereqs.join(", ")}: choose a flag{draft.prerequisites.some((p) => p.condition === "variants" && !p.variants.length) ? " and at least one variant" : ""} before saving.</p>}
      {badSplits.length > 0 && <p className="alert warn small" role="status">Rule {badSplits.join(", ")}: the split&apos;s weights must sum to 100 % before saving.</p>}
      <div className="row">
        <button type="submit" className="primary" disabled={pending || badSplits.length > 0 || badPrereqs.length > 0}>{pending ? "Saving…" : `Save rules in ${env}`}</button>
        <button type="button" onClick={() => { setDraft(draftOf(view.targeting)); setConflict(null); }} disabled={pending}>Discard changes</button>
      </div>
      {conflict && (
        <div className="alert warn" role="alert" data-testid="rules-conflict">
          <p style={{ marginTop: 0 }}>
            <strong>Someone else saved v{conflict.version} while you were editing.</strong> Nothing of yours was saved. Your edit is kept: compare, then save again (it will replace theirs) or reload.
          </p>
          <JsonDiff before={conflict.theirs} after={payload()} beforeLabel={`Their rules (v${conflict.version})`} afterLabel="Your edit" />
          <button type="button" onClick={() => router.refresh()}>Discard my edit and reload</button>
        </div>
      )}
    </form>
  );
}
