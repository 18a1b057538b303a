import { z } from "zod";
import { grantRole, revokeRole } from "../../services/users/membership-verbs";
import { createUser, setUserPassword, updateUser } from "../../services/users/user-verbs";
import { defineAction } from "../define-action";
import { checkbox, int, optBoolean, optList, optText } from "../form-input";

/** "" or "*" in the namespace field of a role form means every namespace. */
const namespaceOrAll = z.preprocess((v) => (v === "" || v === "*" || v === undefined ? null : v), z.string().nullable());

export const createUserAction = defineAction({
  name: "createUser",
  input: z.object({ email: z.string(), name: z.string(), password: optText, isSuperAdmin: checkbox, reason: optText }),
  run: ({ ctx, input }) => createUser({ ctx, input }),
  success: (u) => `Created user ${u.email}`,
});

export const updateUserAction = defineAction({
  name: "updateUser",
  input: z.object({ userId: int, name: optText, isSuperAdmin: optBoolean, disabled: optBoolean, reason: optText }),
  run: ({ ctx, input }) => updateUser({ ctx, input }),
  success: (u) => `Saved user ${u.email}${u.disabled ? " (disabled: they can no longer sign in)" : ""}`,
});

export const setUserPasswordAction = defineAction({
  name: "setUserPassword",
  input: z.object({ userId: int, password: z.string(), currentPassword: optText, reason: optText }),
  run: ({ ctx, input }) => setUserPassword({ ctx, input }),
  success: () => "Password changed; sessions that signed in with the old password have ended",
});

export const grantRoleAction = defineAction({
  name: "grantRole",
  input: z.object({ userId: int, namespace: namespaceOrAll, role: z.string(), environments: optList, reason: optText }),
  run: ({ ctx, input }) => grantRole({ ctx, input: { ...input, environments: input.environments?.length ? input.environments : null } }),
  success: (m) => `Granted ${m.role} in ${m.namespace ?? "every namespace"}${m.environments ? ` (writes only in ${m.environments.join(", ")})` : ""}`,
});

export const revokeRoleAction = defineAction({
  name: "revokeRole",
  input: z.object({ userId: int, namespace: namespaceOrAll, reason: optText }),
  run: ({ ctx, input }) => revokeRole({ ctx, input }),
  success: (r, i) => (r.revoked ? `Removed the role in ${i.namespace ?? "every namespace"}` : "There was no such role to remove"),
});
