/**
 * A line diff for side-by-side views (LCS over lines). Consecutive removed and added lines are paired
 * on the same row, so a changed line shows its old text left and its new text right.
 */
export type Side = { text: string; kind: "same" | "del" | "add" } | null;
export interface DiffRow {
  left: Side;
  right: Side;
}

/** Pretty JSON for diffing: stable 2-space indentation; undefined/absent shows as nothing. */
export function prettyJson(value: unknown): string {
  if (value === undefined) return "";
  return JSON.stringify(value, null, 2) ?? "";
}

const MAX_CELLS = 2_000_000;

export function diffLines(before: string, after: string): DiffRow[] {
  const a = before === "" ? [] : before.split("\n");
  const b = after === "" ? [] : after.split("\n");
  const ops: { op: "same" | "del" | "add"; text: string }[] = [];
  if (a.length * b.length > MAX_CELLS) {
    // Too large to align: show it as replaced wholesale rather than stall the browser.
    a.forEach((t) => ops.push({ op: "del", text: t }));
    b.forEach((t) => ops.push({ op: "add", text: t }));
  } else {
    const n = a.length;
    const m = b.length;
    const lcs: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
    for (let i = n - 1; i >= 0; i--) {
      for (let j = m - 1; j >= 0; j--) {
        lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
      }
    }
    let i = 0;
    let j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && a[i] === b[j]) {
        ops.push({ op: "same", text: a[i]! });
        i++;
        j++;
      } else if (j < m && (i >= n || lcs[i]![j + 1]! >= lcs[i + 1]![j]!)) {
        ops.push({ op: "add", text: b[j++]! });
      } else {
        ops.push({ op: "del", text: a[i++]! });
      }
    }
  }
  const rows: DiffRow[] = [];
  for (let k = 0; k < ops.length; ) {
    if (ops[k]!.op === "same") {
      rows.push({ left: { text: ops[k]!.text, kind: "same" }, right: { text: ops[k]!.text, kind: "same" } });
      k++;
      continue;
    }
    const dels: string[] = [];
    const adds: string[] = [];
    while (k < ops.length && ops[k]!.op !== "same") {
      if (ops[k]!.op === "del") dels.push(ops[k]!.text);
      else adds.push(ops[k]!.text);
      k++;
    }
    for (let r = 0; r < Math.max(dels.length, adds.length); r++) {
      rows.push({
        left: r < dels.length ? { text: dels[r]!, kind: "del" } : null,
        right: r < adds.length ? { text: adds[r]!, kind: "add" } : null,
      });
    }
  }
  return rows;
}

export function countChanges(rows: DiffRow[]): { removed: number; added: number } {
  return {
    removed: rows.filter((r) => r.left?.kind === "del").length,
    added: rows.filter((r) => r.right?.kind === "add").length,
  };
}
