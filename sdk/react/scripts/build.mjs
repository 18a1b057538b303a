// `npm run build -w @mizuflow/react`: like the SDK's build (../../scripts/build-package.mjs). Its
// declarations import @mizuflow/sdk's, so the SDK is built first when its dist is missing.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { buildPackage } from "../../scripts/build-package.mjs";

const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
if (!existsSync(path.join(dir, "..", "dist", "esm", "index.d.ts"))) {
  execFileSync(process.execPath, [path.join(dir, "..", "scripts", "build.mjs")], { stdio: "inherit" });
}
await buildPackage({ dir, entries: { index: "src/index.ts" } });
