/**
 * Save-time cycle check for prerequisites (evaluation also stops at a cycle, see evaluate.ts).
 * `edges` maps each flag key of one environment to the keys it requires.
 */
export function findPrerequisiteCycle(edges: ReadonlyMap<string, readonly string[]>): string[] | undefined {
  const state = new Map<string, "visiting" | "done">();
  const stack: string[] = [];
  const visit = (key: string): string[] | undefined => {
    const s = state.get(key);
    if (s === "done") return undefined;
    if (s === "visiting") return [...stack.slice(stack.indexOf(key)), key];
    state.set(key, "visiting");
    stack.push(key);
    for (const next of edges.get(key) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(key, "done");
    return undefined;
  };
  for (const key of edges.keys()) {
    const cycle = visit(key);
    if (cycle) return cycle;
  }
  return undefined;
}

/** The cycle that saving `key` with `requires` would create among `current`, if any. */
export function cycleAfterSave(
  current: ReadonlyMap<string, readonly string[]>,
  key: string,
  requires: readonly string[],
): string[] | undefined {
  const next = new Map(current);
  next.set(key, requires);
  return findPrerequisiteCycle(next);
}
