"use server";

import * as defs from "./actions";
import { perform } from "../actions/perform";

// Server actions for users and their roles.
export async function createUserAction(input: unknown) { return perform(defs.createUserAction, input); }
export async function updateUserAction(input: unknown) { return perform(defs.updateUserAction, input); }
export async function setUserPasswordAction(input: unknown) { return perform(defs.setUserPasswordAction, input); }
export async function grantRoleAction(input: unknown) { return perform(defs.grantRoleAction, input); }
export async function revokeRoleAction(input: unknown) { return perform(defs.revokeRoleAction, input); }
