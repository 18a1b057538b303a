"use server";

import * as defs from "./actions";
import { perform } from "../actions/perform";

// Server actions for namespaces.
export async function createNamespaceAction(input: unknown) { return perform(defs.createNamespaceAction, input); }
export async function updateNamespaceAction(input: unknown) { return perform(defs.updateNamespaceAction, input); }
export async function deleteNamespaceAction(input: unknown) { return perform(defs.deleteNamespaceAction, input); }
