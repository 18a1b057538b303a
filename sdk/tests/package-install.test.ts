import { execFile, spawn, type ChildProcess } from "node:child_process";
import { copyFile, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser } from "../../tests/support/e2e/browser";
import { startPageServer, type PageServer } from "../../tests/browser/page-server";
import { waitFor } from "../../tests/support/test-env";
import { SDK_NAME } from "../src/revision-reporter";
import { startStreamFixture, type StreamFixture } from "./support/stream-fixture";

/**
 * @mizuflow/sdk and @mizuflow/react as their users get them: built, `npm pack`ed, and installed from
 * the tarballs into a scratch project outside the repository (OpenFeature, React and eventsource
 * from this checkout's node_modules, offline: fast and deterministic). From that project only:
 *  - a Node ESM program (import) and a CommonJS one (require) follow a flag of a real stream server,
 *    directly and through the OpenFeature server provider, and see a change made through the verbs;
 *  - tsc with "module": "nodenext" resolves the declarations for import and for require;
 *  - a browser bundle (core client, React bindings, OpenFeature web provider) runs in Chromium
 *    against the stream server, and a change re-renders only the component whose flag changed;
 *  - the React bindings' evaluation context: the provider's context (from state) changes what a
 *    targeted flag serves, merged with a hook's inline context literal; re-renders stay minimal
 *    (an equal context re-renders nothing, an inline literal never loops).
 * It prints the min+gzip size of the core client and of the web provider (target: client < 10 KB).
 */
const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, "../..");
const SDK = path.join(ROOT, "sdk");
const REACT = path.join(SDK, "react");
const FIXTURE = path.join(import.meta.dirname, "install-fixture");
// eventsource and the targeting engine's dependencies are the SDK's dependencies; the rest are peers.
const PEERS = ["eventsource", "ipaddr.js", "murmurhash3js", "re2js", "semver", "@openfeature/core", "@openfeature/server-sdk", "@openfeature/web-sdk", "react", "react-dom", "@types/react", "@types/node"];
// The children are plain Node, not vitest's: nothing of the test runner's loaders may leak in.
const childEnv = () => {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  return env;
};

let scratch: string;
let tarballs: { sdk: string; react: string };
let fx: StreamFixture;
let sdkKey: string;

async function pack(dir: string, dest: string): Promise<string> {
  const { stdout } = await run("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", dest], { cwd: dir, env: childEnv() });
  return path.join(dest, (JSON.parse(stdout) as { filename: string }[])[0]!.filename);
}

beforeAll(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), "mizuflow-sdk-install-"));
  const [fixture] = await Promise.all([
    startStreamFixture(),
    (async () => {
      // Build from the current sources (the React build reads the SDK's declarations), then pack.
      await run(process.execPath, [path.join(SDK, "scripts", "build.mjs")], { env: childEnv() });
      await run(process.execPath, [path.join(REACT, "scripts", "build.mjs")], { env: childEnv() });
      tarballs = { sdk: await pack(SDK, scratch), react: await pack(REACT, scratch) };
      const project = path.join(scratch, "app");
      await run("mkdir", ["-p", project]);
      await writeFile(path.join(project, "package.json"), JSON.stringify({ name: "mizuflow-sdk-user", private: true }));
      const peers = PEERS.map((p) => path.join(ROOT, "node_modules", p));
      await run("npm", ["install", "--offline", "--ignore-scripts", "--no-audit", "--no-fund", tarballs.sdk, tarballs.react, ...peers], { cwd: project, env: childEnv() });
      for (const f of ["follow.mjs", "follow.cjs", "types-check.mts", "tsconfig.json", "page.js"]) await copyFile(path.join(FIXTURE, f), path.join(project, f));
      await copyFile(path.join(FIXTURE, "types-check.mts"), path.join(project, "types-check.cts"));
    })(),
  ]);
  fx = fixture;
  await fx.flag("checkout", "new-flow", "boolean", { production: true });
  await fx.flag("checkout", "beta", "boolean", { production: true });
  await fx.flag("checkout", "banner", "string", { production: "hello" });
  await fx.flag("checkout", "vip", "boolean", { production: false });
  await fx.rules("checkout", "vip", {
    rules: [
      { constraints: [{ contextName: "userId", operator: "IN", values: ["u-vip"] }], serve: { value: true } },
      { constraints: [{ contextName: "plan", operator: "IN", values: ["pro"] }], serve: { value: true } },
    ],
  });
  sdkKey = await fx.sdkKey(["checkout"]);
}, 180_000);

afterAll(async () => {
  await fx?.cleanup();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

const project = () => path.join(scratch, "app");

describe("@mizuflow/sdk as an installed package", () => {
  it("packs the built entries, declarations and README only, with no dependency on the server or Next.js", async () => {
    const { stdout } = await run("tar", ["tzf", tarballs.sdk]);
    const files = stdout.split("\n").filter(Boolean);
    for (const entry of ["index", "node", "openfeature/server", "openfeature/web", "targeting"]) {
      expect(files).toEqual(expect.arrayContaining([`package/dist/esm/${entry}.js`, `package/dist/esm/${entry}.d.ts`, `package/dist/cjs/${entry}.cjs`, `package/dist/cjs/${entry}.d.cts`]));
    }
    expect(files.filter((f) => !/^package\/(dist\/|README\.md$|package\.json$)/.test(f))).toEqual([]);
    const pkg = JSON.parse(await readFile(path.join(project(), "node_modules/@mizuflow/sdk/package.json"), "utf8")) as Record<string, Record<string, unknown>>;
    expect(Object.keys(pkg.dependencies!)).toEqual(["eventsource", "ipaddr.js", "murmurhash3js", "re2js", "semver"]);
    expect(Object.keys(pkg.peerDependencies!).sort()).toEqual(["@openfeature/core", "@openfeature/server-sdk", "@openfeature/web-sdk"]);
    // The version the SDK reports to the server (revision reports) is the package's.
    expect(SDK_NAME).toBe(`mizuflow-js/${String(pkg.version)}`);
  });

  it("exports the targeting engine at @mizuflow/sdk/targeting, for import and require, without zod", async () => {
    const flag = '{ key: "f", type: "boolean", value: false, enabled: true, variants: [], prerequisites: [], rules: [{ constraints: [{ contextName: "userId", operator: "IN", values: ["u1"] }], segments: [], serve: { value: true } }] }';
    const check = (load: string) => `${load}; const s = t.createFlagSet([${flag}]); console.log(JSON.stringify([s.evaluate("f", { userId: "u1" }).reason, s.evaluate("f", { userId: "u2" }).reason, typeof t.targetingEngine.compileFlag]));`;
    const esm = await run(process.execPath, ["--input-type=module", "-e", check('const t = await import("@mizuflow/sdk/targeting")')], { cwd: project(), env: childEnv() });
    const cjs = await run(process.execPath, ["-e", check('const t = require("@mizuflow/sdk/targeting")')], { cwd: project(), env: childEnv() });
    expect([JSON.parse(esm.stdout), JSON.parse(cjs.stdout)]).toEqual([["TARGETING_MATCH", "DEFAULT", "function"], ["TARGETING_MATCH", "DEFAULT", "function"]]);
  });

  it("runs a Node ESM program and a CommonJS program from the install, each following a live change", async () => {
    const start = (file: string) => {
      const child = spawn(process.execPath, [file, fx.url, sdkKey], { cwd: project(), env: childEnv(), stdio: ["ignore", "pipe", "pipe"] });
      const out = { lines: [] as Record<string, unknown>[], stderr: "", child, exit: new Promise<number | null>((r) => child.once("exit", r)) };
      let buf = "";
      child.stdout.on("data", (c: Buffer) => {
        buf += c.toString();
        for (let i = buf.indexOf("\n"); i >= 0; i = buf.indexOf("\n")) {
          out.lines.push(JSON.parse(buf.slice(0, i)) as Record<string, unknown>);
          buf = buf.slice(i + 1);
        }
      });
      child.stderr.on("data", (c: Buffer) => (out.stderr += c.toString()));
      return out;
    };
    const programs = [start("follow.mjs"), start("follow.cjs")];
    const children: ChildProcess[] = programs.map((p) => p.child);
    try {
      for (const p of programs) await waitFor(() => p.lines.find((l) => l.what === "ready"), `ready from ${p.child.spawnargs[1]} (stderr: ${p.stderr})`, 20_000);
      expect(programs.map((p) => p.lines[0])).toEqual([
        { what: "ready", module: "esm", direct: true, openFeature: true, universalEntry: "function" },
        { what: "ready", module: "cjs", direct: true, openFeature: true, universalEntry: "function", webProvider: "function" },
      ]);
      await fx.set("checkout", "new-flow", false);
      expect(await Promise.all(programs.map((p) => p.exit))).toEqual([0, 0]);
      expect(programs.map((p) => p.lines[1])).toMatchObject([
        { what: "changed", module: "esm", direct: false, openFeature: false },
        { what: "changed", module: "cjs", direct: false, openFeature: false },
      ]);
    } finally {
      for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
    }
  }, 45_000);

  it("gives TypeScript (nodenext) typed declarations for import and for require", async () => {
    const tsc = path.join(ROOT, "node_modules", "typescript", "bin", "tsc");
    // Non-zero exit (rejection) with the compiler's messages when a declaration does not resolve.
    await expect(run(process.execPath, [tsc, "-p", "tsconfig.json"], { cwd: project(), env: childEnv() }).then(() => "ok")).resolves.toBe("ok");
  }, 60_000);
});

describe("a browser bundle from the install (Chromium)", () => {
  let browser: Browser;
  let pages: PageServer;
  let page: Page;

  const bundle = async (contents: string, external: string[] = []) => {
    const out = await build({
      stdin: { contents, resolveDir: project(), loader: "js", sourcefile: "entry.js" },
      absWorkingDir: project(),
      bundle: true,
      minify: true,
      format: "esm",
      platform: "browser",
      target: "es2022",
      external,
      define: { "process.env.NODE_ENV": '"production"' },
      write: false,
      logLevel: "silent",
    });
    return out.outputFiles[0]!.contents;
  };

  beforeAll(async () => {
    const app = Buffer.from(await bundle(await readFile(path.join(project(), "page.js"), "utf8"))).toString("utf8");
    pages = await startPageServer({ bundle: app, config: { streamUrl: fx.url, sdkKey } });
    browser = await launchBrowser();
    page = await browser.newPage();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await pages?.close();
  });

  it("reports the min+gzip size of the core client and of the web provider (client target < 10 KB)", async () => {
    const size = async (what: string, code: string, external: string[] = []) => {
      const min = await bundle(code, external);
      const gz = gzipSync(min, { level: 9 }).length;
      console.log(`[sdk size] ${what}: ${min.length} B minified, ${gz} B min+gzip`);
      return gz;
    };
    const client = await size("core client (@mizuflow/sdk)", 'export { createClient, localStorageSnapshotStore } from "@mizuflow/sdk";');
    await size("core client + targeting engine (@mizuflow/sdk/targeting)", 'export { createClient } from "@mizuflow/sdk"; export { targetingEngine } from "@mizuflow/sdk/targeting";');
    await size("web provider + client, without @openfeature/web-sdk", 'export { MizuFlowWebProvider } from "@mizuflow/sdk/openfeature/web";', ["@openfeature/web-sdk"]);
    await size("web provider + client + @openfeature/web-sdk", 'export { MizuFlowWebProvider } from "@mizuflow/sdk/openfeature/web"; export { OpenFeature } from "@openfeature/web-sdk";');
    await size("@mizuflow/react alone (react and the SDK external)", 'export * from "@mizuflow/react";', ["react", "@mizuflow/sdk"]);
    expect(client).toBeLessThan(10 * 1024);
  });

  it("follows changes in Chromium; useFlag re-renders only the component whose flag changed", async () => {
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(pages.url);
    type PageState = { renders: { beta: number; banner: number }; openFeatureBeta: boolean | null; error: string | null };
    const state = () => page.evaluate(() => (window as unknown as { __pkg: PageState }).__pkg);
    const text = (id: string) => page.textContent(`#${id}`);
    await waitFor(async () => (await text("beta")) === "true" && (await text("banner")) === "hello" && (await state()).openFeatureBeta === true, "the first snapshot in the page");
    const before = (await state()).renders;

    await fx.set("checkout", "beta", false);
    await waitFor(async () => (await text("beta")) === "false" && (await state()).openFeatureBeta === false, "the beta change in the page");
    const afterBeta = (await state()).renders;
    expect(afterBeta.beta).toBeGreaterThan(before.beta);
    expect(afterBeta.banner).toBe(before.banner);

    await fx.set("checkout", "banner", "bye");
    await waitFor(async () => (await text("banner")) === "bye", "the banner change in the page");
    const afterBanner = (await state()).renders;
    expect(afterBanner.banner).toBeGreaterThan(afterBeta.banner);
    expect(afterBanner.beta).toBe(afterBeta.beta);
    expect((await state()).error).toBeNull();
    expect(errors).toEqual([]);
  });

  it("React context: the provider's context changes a targeted flag's value, merged with a hook's; an equal context or an inline literal re-renders nothing more", async () => {
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(pages.url);
    type Renders = { beta: number; banner: number; vip: number; vipDetails: number };
    const renders = () => page.evaluate(() => ({ ...(window as unknown as { __pkg: { renders: Renders } }).__pkg.renders }));
    const text = (id: string) => page.textContent(`#${id}`);
    const call = (fn: "__setUser" | "__bumpDetails", arg?: string) => page.evaluate(([f, a]) => (window as unknown as Record<string, (x?: string) => void>)[f!]!(a), [fn, arg] as const);
    const settle = () => page.waitForTimeout(300);
    // u-1: not the VIP user; the hook's plan "pro" (merged over the provider's userId) matches rule 2.
    await waitFor(async () => (await text("vip")) === "false" && (await text("vip-details")) === "true TARGETING_MATCH 1" || undefined, "the first snapshot, evaluated for u-1");
    await settle();
    const first = await renders();
    // The inline literal { properties: { plan: "pro" } } is new on every render, yet nothing loops.
    await settle();
    expect(await renders()).toEqual(first);

    // The provider's context turns to the VIP user: both vip readers change, the others do not re-render.
    await call("__setUser", "u-vip");
    await waitFor(async () => (await text("vip")) === "true" && (await text("vip-details")) === "true TARGETING_MATCH 0" || undefined, "vip for u-vip");
    await settle();
    const vip = await renders();
    expect(vip.vip - first.vip).toBe(1);
    expect(vip.vipDetails - first.vipDetails).toBe(1);
    expect([vip.beta, vip.banner]).toEqual([first.beta, first.banner]);

    // A new but equal context object (setUser makes a new literal): nothing re-renders.
    await call("__setUser", "u-vip");
    await settle();
    expect(await renders()).toEqual(vip);

    // Another user whose answer stays the same for Vip ("false" -> back to false) re-renders only Vip's change.
    await call("__setUser", "u-2");
    await waitFor(async () => (await text("vip")) === "false" || undefined, "vip for u-2");
    await settle();
    const u2 = await renders();
    expect(u2.vip - vip.vip).toBe(1);
    // VipDetails now matches rule 2 again (a changed rule index: one render).
    expect(u2.vipDetails - vip.vipDetails).toBe(1);
    await call("__setUser", "u-3");
    await settle();
    // u-3 gets exactly what u-2 got from both hooks: no component re-renders.
    expect(await renders()).toEqual(u2);

    // Re-rendering VipDetails' parent hands it a fresh inline literal: one render, same answer, no loop.
    await call("__bumpDetails");
    await settle();
    const bumped = await renders();
    expect(bumped.vipDetails - u2.vipDetails).toBe(1);
    expect(await text("vip-details")).toBe("true TARGETING_MATCH 1");
    expect(errors).toEqual([]);
  });
});
