import { createSdkKey } from "./create-sdk-key";
import { revokeSdkKey } from "./revoke-sdk-key";
import { defineAction } from "../actions/define-action";
import { checkbox, formCodec, int, list, optText, text } from "../actions/form-codec";

/** The SDK key server actions; the verbs' schemas in ./schemas.ts validate the input. */
export const createSdkKeyAction = defineAction({
  name: "createSdkKey",
  codec: formCodec(
    { name: text, environment: text, allNamespaces: checkbox, namespaces: list, kind: optText, allowedOrigins: optText, reason: optText },
    ({ allNamespaces, namespaces, allowedOrigins, ...rest }) => ({
      ...rest,
      namespaces: allNamespaces ? null : (namespaces ?? []),
      // One origin per line or comma-separated in the form; the verb validates each.
      allowedOrigins: typeof allowedOrigins === "string" ? allowedOrigins.split(/[\s,]+/).filter(Boolean) : (allowedOrigins ?? null),
    }),
  ),
  run: createSdkKey,
  success: (k) => `Created SDK key ${k.sdkKey.name} for ${k.sdkKey.environment}. Copy it now: it is not shown again`,
});

export const revokeSdkKeyAction = defineAction({
  name: "revokeSdkKey",
  codec: formCodec({ id: int, reason: optText }),
  run: revokeSdkKey,
  success: (k) => `Revoked SDK key ${k.name}; its open streams are closed`,
});
