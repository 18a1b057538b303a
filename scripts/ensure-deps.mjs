// Installs node_modules from the lockfile when they are missing or older than the lockfile, so the
// README's commands work on a fresh clone. Plain JS on purpose: it runs before any dependency exists.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const marker = path.join(root, "node_modules", ".package-lock.json");
const lock = path.join(root, "package-lock.json");

const stale = !existsSync(marker) || statSync(marker).mtimeMs < statSync(lock).mtimeMs;
if (stale) {
  console.error("[mizuflow] installing dependencies (npm ci) ...");
  execFileSync("npm", ["ci", "--no-audit", "--no-fund"], { cwd: root, stdio: "inherit" });
}

// The SDK workspaces (@mizuflow/sdk, @mizuflow/react) are consumed through their built dist (the
// examples and the package tests import the package names): rebuild when a source is newer.
const newest = (dir) => {
  if (!existsSync(dir)) return 0;
  let max = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) max = Math.max(max, statSync(path.join(e.parentPath ?? e.path, e.name)).mtimeMs);
  }
  return max;
};
for (const [name, dir] of [["@mizuflow/sdk", "sdk"], ["@mizuflow/react", "sdk/react"]]) {
  const built = path.join(root, dir, "dist", "esm", "index.js");
  const inputs = [path.join(root, dir, "src"), path.join(root, dir, "package.json"), path.join(root, "sdk", "scripts")];
  const sourceTime = Math.max(...inputs.map((p) => (existsSync(p) && statSync(p).isFile() ? statSync(p).mtimeMs : newest(p))));
  if (!existsSync(built) || statSync(built).mtimeMs < sourceTime) {
    console.error(`[mizuflow] building ${name} ...`);
    execFileSync("npm", ["run", "build", "-w", name], { cwd: root, stdio: ["ignore", "ignore", "inherit"] });
  }
}
