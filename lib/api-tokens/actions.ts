import { defineAction } from "../actions/define-action";
import { checkbox, formCodec, int, list, optInt, optText, text } from "../actions/form-codec";
import { createApiToken } from "./create-api-token";
import { revokeApiToken } from "./revoke-api-token";

/** The API-token server actions; the verbs' schemas in ./schemas.ts validate the input. */
export const createApiTokenAction = defineAction({
  name: "createApiToken",
  codec: formCodec(
    { name: text, role: text, allNamespaces: checkbox, namespaces: list, superAdmin: checkbox, expiresInDays: optInt, reason: optText },
    // The form's "all namespaces" box (and a super-admin token, which has no namespaces) is the verb's null.
    ({ allNamespaces, namespaces, ...rest }) => ({ ...rest, namespaces: allNamespaces || rest.superAdmin ? null : (namespaces ?? []) }),
  ),
  run: createApiToken,
  success: (t) => `Created API token ${t.apiToken.name}. Copy it now: it is not shown again`,
});

export const revokeApiTokenAction = defineAction({
  name: "revokeApiToken",
  codec: formCodec({ id: int, reason: optText }),
  run: revokeApiToken,
  success: () => "Revoked the API token; requests using it are refused from now on",
});
