/** A compact rendering of a flag value for lists. */
export function ValueBadge({ type, value }: { type: string; value: unknown }) {
  if (type === "boolean") return <span className={`badge ${value === true ? "on" : "off"}`}>{value === true ? "on" : "off"}</span>;
  const s = JSON.stringify(value) ?? "null";
  return <code title={s}>{s.length > 32 ? `${s.slice(0, 31)}…` : s}</code>;
}
