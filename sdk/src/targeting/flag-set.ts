import { compileFlag, compileSegments, type CompiledFlag } from "./compile";
import type { EvaluationContext } from "./context";
import { evaluate } from "./evaluate";
import type { FlagTargeting, Segment } from "./model";
import type { EvaluationResult } from "./result";

/**
 * The flags of one environment (and their namespace's segments), compiled together so
 * prerequisites resolve locally. What an SDK or the server holds in memory.
 */
export interface FlagSet {
  evaluate(key: string, context: EvaluationContext): EvaluationResult | undefined;
  get(key: string): CompiledFlag | undefined;
  readonly size: number;
}

export function createFlagSet(flags: readonly FlagTargeting[], segments: readonly Segment[] = []): FlagSet {
  const bySegment = compileSegments(segments);
  const compiled = new Map<string, CompiledFlag>();
  for (const f of flags) compiled.set(f.key, compileFlag(f, bySegment));
  const lookup = (key: string) => compiled.get(key);
  return {
    evaluate(key, context) {
      const flag = compiled.get(key);
      return flag ? evaluate(flag, context, lookup) : undefined;
    },
    get: lookup,
    get size() {
      return compiled.size;
    },
  };
}
