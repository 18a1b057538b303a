import type { FlagStore } from "../flag-store";
import type { FlagEntry, Logger } from "../types";
import type { EngineResult, EvaluationContext, TargetingEngine } from "./engine-port";
import { engineFlag, hasTargeting, type SegmentEntry } from "./wire";

/** Why a flag's targeting could not be used; resolution answers the caller's default. */
export type LocalFailure = { failure: "PARSE_ERROR"; message: string } | { failure: "NO_ENGINE" };

interface CompiledEntry {
  /** The namespace's segment map this flag was compiled against (segment-store.ts identity). */
  segments: ReadonlyMap<string, SegmentEntry>;
  compiled: unknown;
  error?: string;
}

const EMPTY_CONTEXT: EvaluationContext = Object.freeze({});

/**
 * Evaluates flags with rules locally. Compiling is lazy and cached against object identity: the
 * store replaces a flag's entry on every applied change and a namespace's segment map on every
 * segment change, so a flag is compiled at most once per applied change that concerns it, on its
 * first evaluation after it, never per evaluation. Since a batch of same-id events is applied
 * before any evaluation (client.ts), a compiled flag never mixes rules of one revision with
 * segments of another.
 */
export class LocalEvaluator {
  private readonly flags = new WeakMap<FlagEntry, CompiledEntry>();
  private readonly segments = new WeakMap<ReadonlyMap<string, SegmentEntry>, unknown>();
  private readonly lookups = new Map<string, (key: string) => unknown>();
  private warnedNoEngine = false;

  constructor(
    private readonly store: FlagStore,
    private readonly engine: TargetingEngine | null,
    private readonly logger: Logger,
  ) {}

  /** The engine's result, or why there is none. A flag without targeting never reaches here. */
  evaluate(entry: FlagEntry, context: EvaluationContext | undefined): EngineResult | LocalFailure {
    if (!this.engine) {
      if (!hasTargeting(entry.targeting)) return { value: entry.value, reason: "STATIC" };
      if (!this.warnedNoEngine) {
        this.warnedNoEngine = true;
        this.logger.warn(
          `mizuflow: flag '${entry.namespace}/${entry.key}' has targeting rules but this client has no engine; serving its environment value. Pass \`targeting: targetingEngine\` from "@mizuflow/sdk/targeting".`,
        );
      }
      return { failure: "NO_ENGINE" };
    }
    const own = this.compiled(entry);
    if (own.error !== undefined) return { failure: "PARSE_ERROR", message: own.error };
    return this.engine.evaluate(own.compiled, context ?? EMPTY_CONTEXT, this.lookupIn(entry.namespace));
  }

  /** Prerequisites resolve in the flag's namespace; one lookup function per namespace, not per call. */
  private lookupIn(namespace: string): (key: string) => unknown {
    let lookup = this.lookups.get(namespace);
    if (!lookup) {
      lookup = (key: string) => {
        const parent = this.store.get(namespace, key);
        if (!parent) return undefined;
        const c = this.compiled(parent);
        return c.error === undefined ? c.compiled : undefined;
      };
      this.lookups.set(namespace, lookup);
    }
    return lookup;
  }

  private compiled(entry: FlagEntry): CompiledEntry {
    const segments = this.store.segments.of(entry.namespace);
    const hit = this.flags.get(entry);
    if (hit && hit.segments === segments) return hit;
    const engine = this.engine!;
    let result: CompiledEntry;
    const flag = engineFlag(entry.key, entry.type, entry.value, entry.targeting);
    if (!flag) {
      result = { segments, compiled: undefined, error: `flag '${entry.namespace}/${entry.key}' has targeting this SDK cannot read` };
    } else {
      try {
        result = { segments, compiled: engine.compileFlag(flag, this.compiledSegments(segments)) };
      } catch (err) {
        result = { segments, compiled: undefined, error: `flag '${entry.namespace}/${entry.key}' did not compile: ${err instanceof Error ? err.message : String(err)}` };
      }
    }
    if (result.error !== undefined) this.logger.warn(`mizuflow: ${result.error}`);
    this.flags.set(entry, result);
    return result;
  }

  private compiledSegments(segments: ReadonlyMap<string, SegmentEntry>): unknown {
    let compiled = this.segments.get(segments);
    if (compiled === undefined) {
      compiled = this.engine!.compileSegments([...segments.values()]);
      this.segments.set(segments, compiled);
    }
    return compiled;
  }
}
