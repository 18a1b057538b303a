"use client";

import { useMemo, useState } from "react";
import { parseContext, previewEvaluate, type PreviewSegment } from "@/lib/rules/preview";
import type { TargetingView } from "@/lib/rules/schemas";

const SAMPLE = JSON.stringify({ userId: "user-1", properties: { plan: "pro", country: "JP" } }, null, 2);

/**
 * "Try a context" (issue 14): a context typed or pasted as JSON, evaluated in the browser against
 * each environment's SAVED rules and the namespace's segments by the SDK's own engine
 * (lib/rules/preview.ts), so the answer is what a connected SDK serves. `related` holds the saved
 * targeting of the flags its prerequisites name, so an unmet prerequisite shows DISABLED here too.
 */
export function TryContext({ views, segments, related }: { views: TargetingView[]; segments: PreviewSegment[]; related: TargetingView[] }) {
  const [text, setText] = useState(SAMPLE);
  const parsed = useMemo(() => parseContext(text), [text]);
  const rows = useMemo(
    () => (parsed.ok ? views.map((v) => ({ env: v.environment, result: previewEvaluate(v, segments, parsed.context, related.filter((r) => r.environment === v.environment)), gated: v.targeting.enabled !== false && Array.isArray(v.targeting.prerequisites) && v.targeting.prerequisites.length > 0 })) : []),
    [parsed, views, segments, related],
  );
  return (
    <section className="panel stack" aria-labelledby="try-context-title">
      <h3 id="try-context-title">Try a context</h3>
      <div className="field">
        <label htmlFor="try-context-json">Context (JSON: userId, sessionId, remoteAddress, … and anything else under properties)</label>
        <textarea id="try-context-json" rows={6} spellCheck={false} value={text} onChange={(e) => setText(e.target.value)} aria-invalid={parsed.ok ? undefined : true} aria-describedby="try-context-err" style={{ fontFamily: "var(--mono)" }} />
        <span id="try-context-err" className="error" role="status">{parsed.ok ? "" : parsed.error}</span>
      </div>
      {parsed.ok && (
        <div className="table-wrap" tabIndex={0} role="region" aria-label="Preview results (scrolls sideways on narrow screens)">
          <table data-testid="preview-table">
            <caption className="table-caption">What each environment serves this context (saved rules)</caption>
            <thead>
              <tr><th scope="col">Environment</th><th scope="col">Value</th><th scope="col">Reason</th><th scope="col">Rule</th><th scope="col">Variant</th></tr>
            </thead>
            <tbody>
              {rows.map(({ env, result, gated }) => (
                <tr key={env} data-testid={`preview-${env}`}>
                  <th scope="row">{env}</th>
                  <td><code data-testid="preview-value">{JSON.stringify(result.value)}</code></td>
                  <td data-testid="preview-reason">{result.reason}{result.errorMessage ? <span className="small muted"> ({result.errorMessage})</span> : result.reason === "DISABLED" && gated ? <span className="small muted"> (a prerequisite does not hold)</span> : null}</td>
                  <td data-testid="preview-rule">{result.ruleIndex !== undefined ? `Rule ${result.ruleIndex + 1}` : "—"}</td>
                  <td>{result.variant ?? "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
