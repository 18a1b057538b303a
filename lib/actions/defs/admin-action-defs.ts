import { z } from "zod";
import { createApiToken } from "../../services/api-tokens/create-api-token";
import { revokeApiToken } from "../../services/api-tokens/revoke-api-token";
import { createEnvironment } from "../../services/environments/environment-verbs";
import { createNamespace, deleteNamespace, updateNamespace } from "../../services/namespaces/namespace-verbs";
import { retryDeadLetters } from "../../services/outbox/dead-letters";
import { defineAction } from "../define-action";
import { checkbox, clearableText, int, optInt, optList, optText } from "../form-input";

export const createNamespaceAction = defineAction({
  name: "createNamespace",
  input: z.object({ key: z.string(), name: z.string(), description: optText, reason: optText }),
  run: ({ ctx, input }) => createNamespace({ ctx, input }),
  success: (n) => `Created namespace ${n.key}`,
});

export const updateNamespaceAction = defineAction({
  name: "updateNamespace",
  input: z.object({ key: z.string(), name: optText, description: clearableText, reason: optText }),
  run: ({ ctx, input }) => updateNamespace({ ctx, input }),
  success: (n) => `Saved namespace ${n.key}`,
});

export const deleteNamespaceAction = defineAction({
  name: "deleteNamespace",
  input: z
    .object({ key: z.string(), confirm: z.string().optional(), reason: optText })
    .refine((i) => i.confirm === i.key, { path: ["confirm"], message: "must be the namespace key, typed again to confirm" }),
  run: ({ ctx, input: { confirm: _c, ...rest } }) => deleteNamespace({ ctx, input: rest }),
  success: (_r, i) => `Deleted namespace ${i.key}`,
});

export const createEnvironmentAction = defineAction({
  name: "createEnvironment",
  input: z.object({ key: z.string(), name: z.string(), description: optText, reason: optText }),
  run: ({ ctx, input }) => createEnvironment({ ctx, input }),
  success: (e) => `Created environment ${e.key}; every flag got its default value there`,
});

export const createApiTokenAction = defineAction({
  name: "createApiToken",
  input: z.object({
    name: z.string(),
    role: z.string(),
    allNamespaces: checkbox,
    namespaces: optList,
    superAdmin: checkbox,
    expiresInDays: optInt,
    reason: optText,
  }),
  run: ({ ctx, input: { allNamespaces, namespaces, ...rest } }) =>
    createApiToken({ ctx, input: { ...rest, namespaces: allNamespaces || rest.superAdmin ? null : (namespaces ?? []) } }),
  success: (t) => `Created API token ${t.apiToken.name}. Copy it now: it is not shown again`,
});

export const revokeApiTokenAction = defineAction({
  name: "revokeApiToken",
  input: z.object({ id: int, reason: optText }),
  run: ({ ctx, input }) => revokeApiToken({ ctx, input }),
  success: () => "Revoked the API token; requests using it are refused from now on",
});

export const retryDeadLettersAction = defineAction({
  name: "retryDeadLetters",
  input: z.object({ ids: z.array(z.number().int()).optional(), reason: optText }),
  run: ({ ctx, input }) => retryDeadLetters({ ctx, input }),
  success: (r) => (r.retried ? `Queued ${r.retried} row(s) for publishing again` : "There was nothing to retry"),
});
