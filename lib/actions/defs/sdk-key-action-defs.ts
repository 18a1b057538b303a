import { z } from "zod";
import { createSdkKey } from "../../services/sdk-keys/create-sdk-key";
import { revokeSdkKey } from "../../services/sdk-keys/revoke-sdk-key";
import { defineAction } from "../define-action";
import { checkbox, int, optList, optText } from "../form-input";

export const createSdkKeyAction = defineAction({
  name: "createSdkKey",
  input: z.object({ name: z.string(), environment: z.string(), allNamespaces: checkbox, namespaces: optList, reason: optText }),
  run: ({ ctx, input: { allNamespaces, namespaces, ...rest } }) =>
    createSdkKey({ ctx, input: { ...rest, namespaces: allNamespaces ? null : (namespaces ?? []) } }),
  success: (k) => `Created SDK key ${k.sdkKey.name} for ${k.sdkKey.environment}. Copy it now: it is not shown again`,
});

export const revokeSdkKeyAction = defineAction({
  name: "revokeSdkKey",
  input: z.object({ id: int, reason: optText }),
  run: ({ ctx, input }) => revokeSdkKey({ ctx, input }),
  success: (k) => `Revoked SDK key ${k.name}; its open streams are closed`,
});
