"use server";

import * as defs from "./defs/admin-action-defs";
import * as users from "./defs/user-action-defs";
import { perform } from "./perform";

// Server actions for namespaces, environments, users and roles, API tokens and the outbox.
export async function createNamespaceAction(input: unknown) { return perform(defs.createNamespaceAction, input); }
export async function updateNamespaceAction(input: unknown) { return perform(defs.updateNamespaceAction, input); }
export async function deleteNamespaceAction(input: unknown) { return perform(defs.deleteNamespaceAction, input); }
export async function createEnvironmentAction(input: unknown) { return perform(defs.createEnvironmentAction, input); }
export async function createApiTokenAction(input: unknown) { return perform(defs.createApiTokenAction, input); }
export async function revokeApiTokenAction(input: unknown) { return perform(defs.revokeApiTokenAction, input); }
export async function retryDeadLettersAction(input: unknown) { return perform(defs.retryDeadLettersAction, input); }
export async function createUserAction(input: unknown) { return perform(users.createUserAction, input); }
export async function updateUserAction(input: unknown) { return perform(users.updateUserAction, input); }
export async function setUserPasswordAction(input: unknown) { return perform(users.setUserPasswordAction, input); }
export async function grantRoleAction(input: unknown) { return perform(users.grantRoleAction, input); }
export async function revokeRoleAction(input: unknown) { return perform(users.revokeRoleAction, input); }
