// A browser app built from the installed packages only: the core client, the React bindings and
// the OpenFeature web provider sharing that client. Renders per component are counted, so the test
// can check that a change re-renders only the component whose flag changed, and that the evaluation
// context (the provider's, from state, merged with a hook's inline literal) is compared by value.
import { createElement as h, useState } from "react";
import { createRoot } from "react-dom/client";
import { OpenFeature } from "@openfeature/web-sdk";
import { createClient } from "@mizuflow/sdk";
import { targetingEngine } from "@mizuflow/sdk/targeting";
import { MizuFlowWebProvider } from "@mizuflow/sdk/openfeature/web";
import { MizuFlowProvider, useFlag, useFlagDetails } from "@mizuflow/react";

const cfg = JSON.parse(document.getElementById("config").textContent);
const state = { renders: { beta: 0, banner: 0, vip: 0, vipDetails: 0 }, openFeatureBeta: null, error: null };
window.__pkg = state;

const client = createClient({ url: cfg.streamUrl, sdkKey: cfg.sdkKey, reportRevision: false, targeting: targetingEngine });

function Beta() {
  state.renders.beta++;
  return h("span", { id: "beta" }, String(useFlag("checkout", "beta", false)));
}
function Banner() {
  state.renders.banner++;
  return h("span", { id: "banner" }, useFlag("checkout", "banner", "(none)"));
}

// "vip" has rules: userId u-vip (rule 1), else plan pro (rule 2). Vip reads it with the provider's
// context only; VipDetails adds { properties: { plan: "pro" } } as a new literal on every render.
function Vip() {
  state.renders.vip++;
  return h("span", { id: "vip" }, String(useFlag("checkout", "vip", false)));
}
function VipDetails() {
  state.renders.vipDetails++;
  const d = useFlagDetails("checkout", "vip", false, { context: { properties: { plan: "pro" } } });
  return h("span", { id: "vip-details" }, `${d.value} ${d.reason} ${d.ruleIndex ?? "-"}`);
}
// Re-renders its child with a fresh inline context literal on demand (window.__bumpDetails).
function Bumper() {
  const [n, setN] = useState(0);
  window.__bumpDetails = () => setN(n + 1);
  return h(VipDetails);
}
// The signed-in user lives in state; the provider gets a new context literal on every render. Its
// children are created once (below), so only hooks whose answer changes re-render them.
function Shell({ children }) {
  const [user, setUser] = useState({ id: "u-1" });
  window.__setUser = (id) => setUser({ id });
  return h(MizuFlowProvider, { client, context: { userId: user.id } }, children);
}

const mount = document.createElement("div");
document.body.appendChild(mount);
createRoot(mount).render(h(Shell, null, h(Beta), h(Banner), h(Vip), h(Bumper)));

const flags = OpenFeature.getClient();
OpenFeature.setProviderAndWait(new MizuFlowWebProvider({ client, defaultNamespace: "checkout" })).then(
  () => {
    state.openFeatureBeta = flags.getBooleanValue("beta", false);
    flags.addHandler("PROVIDER_CONFIGURATION_CHANGED", () => (state.openFeatureBeta = flags.getBooleanValue("beta", false)));
  },
  (err) => (state.error = String(err)),
);
