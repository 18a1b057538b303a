// `npm run build -w @mizuflow/sdk`: dist/esm, dist/cjs and their declarations (see build-package.mjs).
import path from "node:path";
import { fileURLToPath } from "node:url";
import { buildPackage } from "./build-package.mjs";

await buildPackage({
  dir: path.resolve(path.dirname(fileURLToPath(import.meta.url)), ".."),
  entries: {
    index: "src/index.ts",
    node: "src/node.ts",
    "openfeature/server": "src/openfeature/server-provider.ts",
    "openfeature/web": "src/openfeature/web-provider.ts",
    targeting: "src/local-eval/targeting-entry.ts",
  },
});
