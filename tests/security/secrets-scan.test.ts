import { execFileSync } from "node:child_process";
import { readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

/**
 * Guarantee: no secret and no default password ships in the code, the compose file or the docs.
 * Scans every file git tracks plus every new file git does not ignore (so a secret is caught before
 * it is committed). Test code may hold fixed test passwords; nothing else may.
 */
const ROOT = path.resolve(import.meta.dirname, "../..");

const TEST_CODE = [/\.test\.tsx?$/, /(^|\/)tests?\//];
const isTestCode = (f: string) => TEST_CODE.some((re) => re.test(f));

function projectFiles(): string[] {
  const out = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard", "-z"], { cwd: ROOT, encoding: "utf8" });
  return out
    .split("\0")
    .filter(Boolean)
    .filter((f) => {
      try {
        const s = statSync(path.join(ROOT, f));
        return s.isFile() && s.size < 2_000_000;
      } catch {
        return false; // deleted in the working tree
      }
    });
}

function read(f: string): string | null {
  const buf = readFileSync(path.join(ROOT, f));
  return buf.includes(0) ? null : buf.toString("utf8"); // skip binaries
}

interface Rule {
  name: string;
  re: RegExp;
  /** Test code is exempt unless this is true. */
  evenInTests?: boolean;
}

/** Placeholder values that docs and messages may show: user:pass@, "(shown once)", "$VAR", "<token>". */
const PLACEHOLDER = /^(pass|password|secret|\*+)$/i;

const RULES: Rule[] = [
  // password: "hunter2" / password = 'x' (a value starting with $ is a reference, e.g. ${VAR}).
  { name: "hard-coded password", re: /password\s*[:=]\s*['"`][^'"`$\s]/i },
  // A fallback for a password, secret or token (`password ?? "admin"`); messages in parentheses,
  // $VARS and <placeholders> are not values.
  { name: "default password or secret", re: /\w*(password|secret|token)\s*(\?\?|\|\|)\s*['"`][^'"`$(<\s]/i },
  { name: "hard-coded AUTH_SECRET", re: /(AUTH_SECRET|NEXTAUTH_SECRET)\s*[:=]\s*['"`][^'"`$]{8,}/ },
  { name: "AUTH_SECRET value in a config file", re: /^\s*(export\s+)?(AUTH_SECRET|NEXTAUTH_SECRET)\s*[:=]\s*[A-Za-z0-9+/=_-]{16,}\s*$/ },
  { name: "secret in an assignment", re: /\b(client_?secret|api_?key|secret_?key|private_?key)\s*[:=]\s*['"`][A-Za-z0-9+/=_-]{12,}/i },
  { name: "admin API token literal", re: /mf_admin_[A-Za-z0-9_-]{20,}/ },
  { name: "SDK key literal", re: /mf_sdk_[A-Za-z0-9_-]{20,}/ },
  { name: "private key", re: /-----BEGIN [A-Z ]*PRIVATE KEY-----/, evenInTests: true },
  { name: "cloud access key", re: /\b(AKIA[0-9A-Z]{16}|ghp_[A-Za-z0-9]{36}|xox[baprs]-[A-Za-z0-9-]{10,})\b/, evenInTests: true },
];

/** scheme://user:password@ with a real-looking password (not ${VAR}, not a placeholder). */
function credentialedUrl(line: string): boolean {
  for (const m of line.matchAll(/\b(?:mysql|postgres|postgresql|redis|amqp|https?):\/\/[^\s:/@'"`$<>]+:([^\s@'"`<>]+)@/g)) {
    const pw = m[1]!;
    if (!pw.startsWith("$") && !PLACEHOLDER.test(pw)) return true;
  }
  return false;
}

describe("secrets in the repository", () => {
  const files = projectFiles();

  it("scans a plausible set of files", () => {
    expect(files.length).toBeGreaterThan(100);
    expect(files).toContain("docker-compose.yml");
    expect(files).toContain("lib/config/env.ts");
  });

  it("has rules that catch the usual ways a secret slips in (and pass the usual safe forms)", () => {
    const flagged = (line: string) => RULES.some((r) => r.re.test(line)) || credentialedUrl(line);
    const bad = [
      `const adminPassword = "hunter2hunter2";`,
      `  password: 'admin'`,
      `const pw = process.env.ADMIN_PASSWORD ?? "admin123";`,
      `AUTH_SECRET: "0123456789abcdef0123"`,
      `AUTH_SECRET=q83nN3m0YkR4yVn7k1Jz2w==`,
      `DATABASE_URL=mysql://mizuflow:s3cr3t@db:3306/mizuflow`,
      `const key = "mf_sdk_${"A".repeat(43)}";`,
      `Authorization: Bearer mf_admin_${"b".repeat(43)}`,
    ];
    const good = [
      `MYSQL_PASSWORD: \${MYSQL_PASSWORD:?set MYSQL_PASSWORD}`,
      `DATABASE_URL: mysql://mizuflow:\${MYSQL_PASSWORD:?set}@mysql:3306/mizuflow`,
      "| `DATABASE_URL` | `mysql://user:pass@host:3306/db` |",
      `AUTH_SECRET: randomBytes(32).toString("base64"),`,
      `const password = values.password ?? process.env.MIZUFLOW_ADMIN_PASSWORD;`,
      `export const SDK_KEY_PREFIX = "mf_sdk_";`,
    ];
    expect(bad.filter((l) => !flagged(l))).toEqual([]);
    expect(good.filter(flagged)).toEqual([]);
  });

  it("holds no hard-coded password, secret, token, key or credentialed URL outside test code", () => {
    const findings: string[] = [];
    for (const f of files) {
      if (f.startsWith("drizzle/") || f === "package-lock.json") continue;
      const text = read(f);
      if (text === null) continue;
      const lines = text.split("\n");
      lines.forEach((line, i) => {
        for (const rule of RULES) {
          if (!rule.evenInTests && isTestCode(f)) continue;
          if (rule.re.test(line)) findings.push(`${f}:${i + 1} ${rule.name}: ${line.trim().slice(0, 120)}`);
        }
        if (!isTestCode(f) && credentialedUrl(line)) findings.push(`${f}:${i + 1} credentials in a URL: ${line.trim().slice(0, 120)}`);
      });
    }
    expect(findings).toEqual([]);
  });

  it("makes compose demand every password and secret from the environment, with no default", () => {
    const compose = readFileSync(path.join(ROOT, "docker-compose.yml"), "utf8");
    const secretKeys = [...compose.matchAll(/^\s*([A-Z_]*(?:PASSWORD|SECRET|TOKEN)[A-Z_]*):\s*(.+)$/gm)];
    expect(secretKeys.length).toBeGreaterThanOrEqual(3);
    for (const [, name, value] of secretKeys) {
      // ${VAR:?message} fails the start when unset; ${VAR:-default} or a literal would be a default.
      expect(value!.trim(), name).toMatch(/^\$\{[A-Z_]+:\?[^}]*\}$/);
    }
    // The database URL takes its password from the same required variable.
    expect(compose).toMatch(/DATABASE_URL: mysql:\/\/mizuflow:\$\{MYSQL_PASSWORD:\?[^}]*\}@/);
    // No .env file with real values is part of the project.
    expect(files.filter((f) => /(^|\/)\.env(\.|$)/.test(f) && !f.endsWith(".example"))).toEqual([]);
  });

  it("keeps the Docker image free of baked-in secrets", () => {
    const dockerfile = readFileSync(path.join(ROOT, "Dockerfile"), "utf8");
    expect(dockerfile).not.toMatch(/^\s*(ENV|ARG)\s+\S*(PASSWORD|SECRET|TOKEN)\S*[ =]\S+/im);
    // `COPY . .` must not copy the .env that compose reads (MYSQL_*_PASSWORD, AUTH_SECRET) or the
    // dev stack's .data (its generated AUTH_SECRET) into the image.
    const ignore = readFileSync(path.join(ROOT, ".dockerignore"), "utf8").split("\n").map((l) => l.trim());
    expect(ignore).toContain(".env*");
    expect(ignore).toContain(".data");
  });
});
