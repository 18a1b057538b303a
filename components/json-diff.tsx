import { countChanges, diffLines, prettyJson, type Side } from "./line-diff";

/**
 * Side-by-side diff of two JSON values (before left, after right). Removed lines are marked "-" and
 * added lines "+" in text as well as colour, so the change is readable without colour vision.
 */
export function JsonDiff({ before, after, beforeLabel = "Before", afterLabel = "After" }: { before: unknown; after: unknown; beforeLabel?: string; afterLabel?: string }) {
  const rows = diffLines(prettyJson(before), prettyJson(after));
  const { removed, added } = countChanges(rows);
  const line = (s: Side, i: number) => (
    <div key={i} className={`diff-line ${s ? (s.kind === "same" ? "" : s.kind) : "pad"}`}>
      <span className="sign" aria-hidden="true">{s?.kind === "del" ? "-" : s?.kind === "add" ? "+" : " "}</span>
      {s?.kind === "del" && <span className="visually-hidden">removed: </span>}
      {s?.kind === "add" && <span className="visually-hidden">added: </span>}
      {s?.text ?? ""}
    </div>
  );
  return (
    <figure style={{ margin: 0 }} data-testid="json-diff">
      <figcaption className="small muted" style={{ marginBottom: "0.3rem" }}>
        {removed === 0 && added === 0 ? "No differences" : `${removed} line(s) removed, ${added} line(s) added`}
      </figcaption>
      <div className="diff">
        <div className="diff-col">
          <div className="diff-head">{beforeLabel}</div>
          {rows.map((r, i) => line(r.left, i))}
        </div>
        <div className="diff-col">
          <div className="diff-head">{afterLabel}</div>
          {rows.map((r, i) => line(r.right, i))}
        </div>
      </div>
    </figure>
  );
}
