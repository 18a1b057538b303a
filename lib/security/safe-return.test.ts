import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { safeReturnPath } from "./safe-return";

// Guarantee (issue 12, item 3): the path the login page sends a browser to after sign-in is on the
// console's own origin, whatever `callbackUrl` a link carries. The browser's parser drops tabs and
// newlines and reads "\" as "/", so every known bypass of a prefix check is listed here; the
// property test covers the rest. tests/e2e/login-redirect.test.ts checks the same in Chromium.

const APP = "https://flags.example.com";

describe("safeReturnPath", () => {
  it.each([
    ["/", "/"],
    ["/flags", "/flags"],
    ["/flags/checkout/new-flow?env=prod#values", "/flags/checkout/new-flow?env=prod#values"],
    ["/audit?q=a%20b", "/audit?q=a%20b"],
    ["/a/../flags", "/flags"],
    // Percent-encoded separators stay encoded: a path segment on this origin, not a host.
    ["/%2F/evil.example", "/%2F/evil.example"],
    ["/%5C/evil.example", "/%5C/evil.example"],
    ["/%09/evil.example", "/%09/evil.example"],
  ])("keeps the same-origin path %j as %j", (raw, want) => {
    expect(safeReturnPath(raw)).toBe(want);
    expect(safeReturnPath(raw, APP)).toBe(want);
  });

  it.each([
    ["//evil.example"],
    ["///evil.example"],
    ["/\t/evil.example"], // what /login?callbackUrl=/%09/evil.example decodes to
    ["/\n/evil.example"], // ... and /%0A/evil.example
    ["/\r\n/evil.example"],
    ["\t//evil.example"],
    [" //evil.example"],
    ["/\\evil.example"],
    ["\\\\evil.example"],
    ["/\\/evil.example"],
    ["\\/evil.example"],
    ["/.//evil.example"], // parses to the path "//evil.example"
    ["/a/..//evil.example"],
    ["https://evil.example/"],
    ["http:evil.example"],
    ["//user:pw@flags.example.com/"],
    ["javascript:alert(1)"],
    ["data:text/html,<script>alert(1)</script>"],
    ["https://flags.example.com.evil.example/"],
    [""],
  ])("sends %j to / instead", (raw) => {
    expect(safeReturnPath(raw)).toBe("/");
    expect(safeReturnPath(raw, APP)).toBe("/");
  });

  it("takes the first of repeated parameters, and nothing from a missing one", () => {
    expect(safeReturnPath(["/flags", "//evil.example"])).toBe("/flags");
    expect(safeReturnPath(["//evil.example", "/flags"])).toBe("/");
    expect(safeReturnPath(undefined)).toBe("/");
  });

  it("lets absolute URLs on the app's own origin through only when that origin is known", () => {
    expect(safeReturnPath("https://flags.example.com/flags?x=1", APP)).toBe("/flags?x=1");
    expect(safeReturnPath("https://flags.example.com/flags")).toBe("/");
    expect(safeReturnPath("http://flags.example.com/flags", APP)).toBe("/");
    expect(safeReturnPath("https://flags.example.com:8443/flags", APP)).toBe("/");
    expect(safeReturnPath("/flags", "not a url")).toBe("/flags");
  });

  it("never yields anything a browser resolves off the origin (property, hostile alphabet)", () => {
    const piece = fc.constantFrom("/", "\\", "\t", "\n", "\r", " ", ".", "..", "%2F", "%5C", "%09", "evil.example", ":", "@", "?", "#", "https:", "http:", "flags", "\u0000", "\u3002");
    const origins = [APP, "http://localhost:3000", "https://console.invalid"];
    fc.assert(
      fc.property(fc.oneof(fc.array(piece, { maxLength: 8 }).map((p) => p.join("")), fc.string()), fc.constantFrom(undefined, APP), (raw, appOrigin) => {
        const out = safeReturnPath(raw, appOrigin);
        expect(out.startsWith("/") && !out.startsWith("//")).toBe(true);
        for (const origin of origins) expect(new URL(out, origin).origin).toBe(origin);
        // Stable: what it returns is accepted unchanged.
        expect(safeReturnPath(out, appOrigin)).toBe(out);
      }),
      { numRuns: 2_000 },
    );
  });
});
