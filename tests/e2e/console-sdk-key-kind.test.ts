import { describe, expect, it } from "vitest";
import { ADMIN, useConsoleSession } from "../support/e2e/console-session";
import { waitFor } from "../support/test-env";

/**
 * The SDK key kind, end to end in Chromium against the production build and the worker: an
 * administrator creates a client key by clicking in the SDK keys page, the list shows its kind,
 * and the key then works where a client key belongs (OFREP on the app) and is refused where it does
 * not (the flag stream and snapshot: 403 naming OFREP).
 */
const s = useConsoleSession();

describe("SDK key kinds in the console", () => {
  it("creates a client key by clicking, lists it as client, and the key evaluates through OFREP while the stream refuses it with 403", async () => {
    const page = await s.signIn(await s.newContext(), ADMIN);
    await s.open(page, "/sdk-keys");
    const form = page.getByRole("form", { name: "Create an SDK key" });
    await form.getByLabel("Name", { exact: true }).fill("storefront-spa");
    await form.getByLabel("Environment", { exact: true }).selectOption("production");
    await form.getByLabel("Kind", { exact: true }).selectOption("client");
    await form.getByLabel("Allowed origins", { exact: true }).fill("https://shop.example");
    await form.getByRole("checkbox", { name: "checkout", exact: true }).check();
    await form.getByRole("button", { name: "Create SDK key" }).click();
    const secret = (await page.getByTestId("secret-value").textContent())?.trim() ?? "";
    expect(secret).toMatch(/^mf_sdk_[A-Za-z0-9_-]{43}$/);

    // The list names the kind on the new key's row.
    const row = page.locator("table tbody tr", { hasText: "storefront-spa" });
    await row.waitFor();
    const cells = await row.locator("td").allTextContents();
    expect(cells[2]!.trim()).toBe("client");
    expect(cells[3]!.trim()).toBe("production");
    expect(cells[4]!.trim()).toBe("checkout");

    // OFREP on the app answers the client key (the demo's production value), CORS for its origin.
    const auth = { authorization: `Bearer ${secret}`, "content-type": "application/json" };
    // The demo flags reach the app through the relay and its etcd watch; under load they may not be
    // there yet (404 FLAG_NOT_FOUND), so wait for the flag itself, then check the whole answer.
    const single = await waitFor(async () => {
      const res = await fetch(`${s.stack.url}/ofrep/v1/evaluate/flags/checkout/new-checkout-flow`, { method: "POST", headers: { ...auth, origin: "https://shop.example" }, body: JSON.stringify({ context: { targetingKey: "user-1" } }) });
      return res.status === 404 ? undefined : res;
    }, "the demo flag on the app's OFREP", 15_000);
    expect(single.status).toBe(200);
    expect(await single.json()).toMatchObject({ key: "checkout/new-checkout-flow", value: false, reason: "STATIC" });
    expect(single.headers.get("access-control-allow-origin")).toBe("https://shop.example");
    const bulk = await fetch(`${s.stack.url}/ofrep/v1/evaluate/flags`, { method: "POST", headers: auth, body: JSON.stringify({ context: {} }) });
    expect(bulk.status).toBe(200);
    const keys = ((await bulk.json()) as { flags: { key: string }[] }).flags.map((f) => f.key);
    expect(keys).toContain("checkout/new-checkout-flow");
    expect(keys.every((k) => k.startsWith("checkout/"))).toBe(true);

    // The flag stream and snapshot refuse it, saying where to go instead.
    for (const path of ["/api/sdk/v1/stream", "/api/sdk/v1/flags"]) {
      const res = await fetch(`${s.stack.url}${path}`, { headers: { authorization: `Bearer ${secret}` } });
      expect(res.status).toBe(403);
      expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/client SDK key.*OFREP/);
    }
  });
});
