/**
 * What an import could not carry over exactly. `malformed`: kept, evaluates as Unleash does (the
 * operator does not match); `skipped`: left out, with why it changes nothing Unleash would serve
 * (e.g. a strategy that can never match); `changed`: carried over with a stated difference.
 */
export interface ImportNote {
  kind: "malformed" | "skipped" | "changed";
  /** e.g. features[3].strategies[1].constraints[0].value */
  path: string;
  feature?: string;
  message: string;
}

/** Collects notes into one shared list, tagged with the feature being translated. */
export class NoteSink {
  constructor(
    readonly notes: ImportNote[] = [],
    private readonly feature?: string,
  ) {}

  add(kind: ImportNote["kind"], path: string, message: string): void {
    const note: ImportNote = { kind, path, message };
    if (this.feature !== undefined) note.feature = this.feature;
    this.notes.push(note);
  }

  forFeature(feature: string): NoteSink {
    return new NoteSink(this.notes, feature);
  }
}

export function pathOf(parts: (string | number)[]): string {
  return parts.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? p : `.${p}`)).join("");
}
