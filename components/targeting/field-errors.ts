/** 422 messages keyed by the path the server names (`rules.0.constraints.1.value`). */
export type FieldErrors = Record<string, string>;

/** The message for a path, or for any path under it (`rules.0.serve` shows `rules.0.serve.split.variants`). */
export function errorAt(errors: FieldErrors | undefined, path: string, exact = false): string | undefined {
  if (!errors) return undefined;
  if (errors[path]) return errors[path];
  if (exact) return undefined;
  const under = Object.entries(errors).find(([k]) => k.startsWith(`${path}.`));
  return under ? `${under[0].slice(path.length + 1)}: ${under[1]}` : undefined;
}
