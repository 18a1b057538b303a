import { grantRole, revokeRole } from "./membership-verbs";
import { createUser, setUserPassword, updateUser } from "./user-verbs";
import { defineAction } from "../actions/define-action";
import { checkbox, formCodec, int, list, optBoolean, optText, text, type Decoder } from "../actions/form-codec";

/** The user and role server actions; the verbs' schemas in ./schemas.ts validate the input. */

/** "", "*" or no namespace in a role form means every namespace (the verb's null). */
const namespaceOrAll: Decoder<string | null> = (v) => (v === "" || v === "*" || v === undefined ? null : (v as string | null));

export const createUserAction = defineAction({
  name: "createUser",
  codec: formCodec({ email: text, name: text, password: optText, isSuperAdmin: checkbox, reason: optText }),
  run: createUser,
  success: (u) => `Created user ${u.email}`,
});

export const updateUserAction = defineAction({
  name: "updateUser",
  codec: formCodec({ userId: int, name: optText, isSuperAdmin: optBoolean, disabled: optBoolean, reason: optText }),
  run: updateUser,
  success: (u) => `Saved user ${u.email}${u.disabled ? " (disabled: they can no longer sign in)" : ""}`,
});

export const setUserPasswordAction = defineAction({
  name: "setUserPassword",
  codec: formCodec({ userId: int, password: text, currentPassword: optText, reason: optText }),
  run: setUserPassword,
  success: () => "Password changed; sessions that signed in with the old password have ended",
});

export const grantRoleAction = defineAction({
  name: "grantRole",
  codec: formCodec(
    { userId: int, namespace: namespaceOrAll, role: text, environments: list, reason: optText },
    // No environments ticked means the role writes everywhere (the verb's null).
    ({ environments, ...rest }) => ({ ...rest, environments: environments?.length ? environments : null }),
  ),
  run: grantRole,
  success: (m) => `Granted ${m.role} in ${m.namespace ?? "every namespace"}${m.environments ? ` (writes only in ${m.environments.join(", ")})` : ""}`,
});

export const revokeRoleAction = defineAction({
  name: "revokeRole",
  codec: formCodec({ userId: int, namespace: namespaceOrAll, reason: optText }),
  run: revokeRole,
  success: (r, i) => (r.revoked ? `Removed the role in ${i.namespace ?? "every namespace"}` : "There was no such role to remove"),
});
