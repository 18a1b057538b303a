/**
 * MizuFlow in a React app (bundle with any bundler). `useFlag` re-renders a component only when what
 * its flag serves it changes: the flag, or the evaluation context (compared by value) the provider
 * and the hook give it. The browser's EventSource cannot send headers, so the SDK key travels as
 * `?sdk_key=`: use a key scoped to the namespaces the page may see.
 */
import { createRoot } from "react-dom/client";
import { createClient, localStorageSnapshotStore } from "@mizuflow/sdk";
import { targetingEngine } from "@mizuflow/sdk/targeting";
import { MizuFlowProvider, useFlag } from "@mizuflow/react";

function CheckoutButton() {
  // The provider's context (userId) merged with this hook's: rules on `page` see both.
  const newFlow = useFlag("checkout", "new-checkout-flow", false, { context: { properties: { page: "cart" } } });
  return <button type="button">{newFlow ? "Pay in one click" : "Go to checkout"}</button>;
}

export function mountFlags(element: HTMLElement, sdkKey: string, userId: string): void {
  const client = createClient({ url: location.origin, sdkKey, snapshotStore: localStorageSnapshotStore(), targeting: targetingEngine });
  createRoot(element).render(
    <MizuFlowProvider client={client} context={{ userId }}>
      <CheckoutButton />
    </MizuFlowProvider>,
  );
}
