import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

/**
 * Guarantee (docs/ARCHITECTURE.md invariant 15): the repository is self-contained. No tracked file
 * refers to a path outside it (a contract in a sibling folder of the checkout, a developer's home directory), every
 * mention of the two contract documents points at docs/, and every repository path those documents
 * name exists, so a reader can follow each reference. A line that must hold such a path on purpose
 * (a hostile test input, say) carries the marker `outside-repo-ok`.
 */
const ROOT = path.resolve(import.meta.dirname, "../..");
const MARKER = "outside-repo-ok";
const CONTRACTS = ["docs/ARCHITECTURE.md", "docs/PROTOCOL.md"];

interface Finding {
  file: string;
  line: number;
  reference: string;
}

function trackedTextFiles(): { file: string; text: string }[] {
  const files = execFileSync("git", ["ls-files", "-z"], { cwd: ROOT, encoding: "utf8" }).split("\0").filter(Boolean);
  expect(files.length, "git ls-files found the repository's files").toBeGreaterThan(100);
  return files
    // This file names the very references it forbids, as examples and patterns.
    .filter((f) => f !== "package-lock.json" && f !== "tests/boundaries/repo-paths.test.ts" && existsSync(path.join(ROOT, f)))
    .map((file) => ({ file, text: readFileSync(path.join(ROOT, file), "utf8") }))
    .filter(({ text }) => !text.includes("\0"));
}

const FILES = trackedTextFiles();
const TOP_LEVEL = new Set(FILES.map(({ file }) => file.split("/")[0]!).filter((first) => first !== ""));

/** Repository-relative form of `ref` seen from `dir`, or null when it leaves the repository. */
function inside(dir: string, ref: string): string | null {
  const p = path.posix.normalize(path.posix.join(dir, ref));
  return p === ".." || p.startsWith("../") ? null : p;
}

/** A path as code would resolve it: the file itself, or a module without its extension. */
function exists(rel: string): boolean {
  return ["", ".ts", ".tsx", ".js", ".mjs", ".json", "/index.ts"].some((ext) => existsSync(path.join(ROOT, rel + ext)));
}

function scan(pattern: RegExp, judge: (file: string, ref: string, lineText: string) => boolean): Finding[] {
  const found: Finding[] = [];
  for (const { file, text } of FILES) {
    text.split("\n").forEach((lineText, i) => {
      if (lineText.includes(MARKER)) return;
      for (const m of lineText.matchAll(pattern)) {
        const reference = m[1] ?? m[0];
        if (judge(file, reference, lineText)) found.push({ file, line: i + 1, reference });
      }
    });
  }
  return found;
}

/** Markdown, or a comment line in code. */
const isProse = (file: string, lineText: string) => file.endsWith(".md") || /^\s*(\*|\/\/|\/\*|#)/.test(lineText);

const show = (f: Finding[]) => f.map((x) => `${x.file}:${x.line}: ${x.reference}`);

describe("references stay inside the repository", () => {
  it("no relative path leaves the repository, whether read from the file's folder or from the root", () => {
    const found = scan(/(?<![.\w])(?:\.\.\/)+[\w.\-/]*/g, (file, ref, lineText) => {
      const dir = path.posix.dirname(file);
      const fromFile = inside(dir, ref);
      if (fromFile === null) return true;
      // In prose (docs, comments) a path that names nothing from the file's folder was written from
      // the root, and must not leave it either. Code strings are exempt: "../x" there is test input.
      return isProse(file, lineText) && !exists(fromFile) && inside(".", ref) === null;
    });
    expect(show(found)).toEqual([]);
  });

  it("no absolute path into a machine's directories (home folders, work trees)", () => {
    const found = scan(/(?<![\w.\\])(\/(?:work|home|Users|root|srv)\/[\w.\-/]+)/g, () => true);
    expect(show(found)).toEqual([]);
  });

  it("every mention of ARCHITECTURE.md or PROTOCOL.md points at docs/", () => {
    const found = scan(/([\w.\-/]*(?:ARCHITECTURE|PROTOCOL)\.md)/g, (file, ref) => {
      const candidates = [inside(path.posix.dirname(file), ref), inside(".", ref)];
      return !candidates.some((c) => c !== null && CONTRACTS.includes(c));
    });
    expect(show(found)).toEqual([]);
  });
});

describe("the contract documents", () => {
  it.each(CONTRACTS)("%s names only paths that exist", (doc) => {
    const text = readFileSync(path.join(ROOT, doc), "utf8");
    const named = [...text.matchAll(/`([^`\s]+)`/g)]
      .map((m) => m[1]!)
      // Repository paths: a top-level folder of the repository, then a file name or a folder ending
      // in /; no globs, URLs or templates.
      .filter((t) => /^[\w.\-[\]/]+$/.test(t) && /(\.\w+|\/)$/.test(t) && TOP_LEVEL.has(t.split("/")[0]!) && t.includes("/"));
    expect(named.length, `${doc} names repository paths`).toBeGreaterThan(10);
    const missing = named.filter((t) => !existsSync(path.join(ROOT, t)));
    expect(missing).toEqual([]);
  });
});
