"use client";

import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { setFlagValueAction } from "@/lib/values/server-actions";
import type { FlagView } from "@/lib/flags/schemas";
import { ConfirmDialog } from "../confirm-dialog";
import { JsonDiff } from "../json-diff";
import { useServerAction } from "../use-server-action";

/**
 * On/off for a boolean flag in one environment, right in the flag list. The same rules as the flag
 * page: the change is shown as a diff and confirmed (with an optional reason) before it is saved,
 * and it is saved against the version shown, so a change made meanwhile is refused, not overwritten.
 */
export function InlineToggle({ flag, environment }: { flag: FlagView; environment: string }) {
  const qc = useQueryClient();
  const current = flag.values[environment]!;
  const on = current.value === true;
  const [confirming, setConfirming] = useState(false);
  const { run, pending } = useServerAction(setFlagValueAction, { refresh: false });
  const label = `${flag.namespace}/${flag.key} in ${environment}`;
  return (
    <>
      <button type="button" role="switch" className="switch" aria-checked={on} aria-label={label} disabled={pending} onClick={() => setConfirming(true)} />
      <ConfirmDialog
        open={confirming}
        title={`Turn ${label} ${on ? "off" : "on"}?`}
        confirmLabel={on ? "Turn off" : "Turn on"}
        danger={on}
        pending={pending}
        onCancel={() => setConfirming(false)}
        onConfirm={async ({ reason }) => {
          await run({ namespace: flag.namespace, key: flag.key, environment, value: !on, expectedVersion: current.version, reason: reason || undefined });
          setConfirming(false);
          // Success or conflict: either way the list must show what is stored now.
          await qc.invalidateQueries({ queryKey: ["flags"] });
        }}
      >
        <JsonDiff before={on} after={!on} beforeLabel={`Now (v${current.version})`} afterLabel="After saving" />
      </ConfirmDialog>
    </>
  );
}
