// `npm run stack`: make sure dependencies are installed, then hand over to the TypeScript stack runner.
import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import "./ensure-deps.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const child = spawn(process.execPath, ["--import", "tsx", path.join(root, "scripts", "stack.ts"), ...process.argv.slice(2)], {
  cwd: root,
  stdio: "inherit",
});
// Ctrl-C reaches the whole foreground process group; the runner handles it and exits by itself.
process.on("SIGINT", () => {});
process.on("SIGTERM", () => child.kill("SIGTERM"));
const parentPid = process.ppid;
setInterval(() => process.ppid !== parentPid && child.kill("SIGTERM"), 1000).unref();
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
