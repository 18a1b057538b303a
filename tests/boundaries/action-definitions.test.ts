import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

/**
 * Guarantee: one schema per input. A server action's input is validated only by its verb's own zod
 * schema (lib/<entity>/schemas.ts); the action modules (lib/<entity>/actions.ts, the "use server"
 * lib/<entity>/server-actions.ts) and the plumbing they share (lib/actions/) never import zod, so no
 * second, looser schema can grow beside the verb's. They turn form fields into the verb's input with
 * the plain functions of lib/actions/form-codec.ts instead.
 */
const LIB = path.resolve(import.meta.dirname, "../../lib");

function actionModules(): string[] {
  const perEntity = readdirSync(LIB).flatMap((d) =>
    ["actions.ts", "server-actions.ts"].map((f) => path.join(d, f)).filter((f) => existsSync(path.join(LIB, f))),
  );
  const plumbing = readdirSync(path.join(LIB, "actions"))
    .filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"))
    .map((f) => path.join("actions", f));
  return [...perEntity, ...plumbing].sort();
}

/** Every module specifier a file imports or re-exports (type-only imports included). */
function importsOf(file: string): string[] {
  const src = ts.createSourceFile(file, readFileSync(path.join(LIB, file), "utf8"), ts.ScriptTarget.Latest);
  const out: string[] = [];
  src.forEachChild((n) => {
    if ((ts.isImportDeclaration(n) || ts.isExportDeclaration(n)) && n.moduleSpecifier && ts.isStringLiteral(n.moduleSpecifier)) out.push(n.moduleSpecifier.text);
  });
  return out;
}

describe("server action modules", () => {
  it("are found where the layout puts them (the scan below is not vacuous)", () => {
    const files = actionModules();
    for (const entity of ["flags", "values", "namespaces", "environments", "api-tokens", "outbox", "users", "sdk-keys"]) {
      expect(files).toContain(path.join(entity, "actions.ts"));
      expect(files).toContain(path.join(entity, "server-actions.ts"));
    }
    expect(files).toContain(path.join("actions", "form-codec.ts"));
  });

  it("never import zod: the verb's schema is the only schema of an action's input", () => {
    const offenders = actionModules().flatMap((f) => importsOf(f).filter((m) => m === "zod" || m.startsWith("zod/")).map((m) => `lib/${f} imports ${m}`));
    expect(offenders).toEqual([]);
  });
});
