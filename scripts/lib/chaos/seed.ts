import { SYSTEM_ACTOR } from "../../../lib/auth/actor";
import type { Db } from "../../../lib/db/client";
import type { FlagType } from "../../../sdk/src/types";
import { createApiToken } from "../../../lib/api-tokens/create-api-token";
import { createEnvironment } from "../../../lib/environments/environment-verbs";
import { createFlag } from "../../../lib/flags/create-flag";
import { createNamespace } from "../../../lib/namespaces/namespace-verbs";
import { createSdkKey } from "../../../lib/sdk-keys/create-sdk-key";
import type { FlagSpec } from "./protocol";

export interface SdkKeySpec {
  key: string;
  environment: string;
  namespaces: string[] | null;
}

export interface Seeded {
  environments: string[];
  namespaces: string[];
  flags: FlagSpec[];
  /** Per environment: one key for every namespace and one per namespace. */
  sdkKeys: SdkKeySpec[];
  apiToken: string;
}

const TYPES: FlagType[] = ["boolean", "string", "number", "json"];

/**
 * The chaos world: `envs` environments, three namespaces, `flags` flags spread over them (types in
 * rotation), SDK keys of both scopes per environment and one admin API token. Seeded through the
 * service verbs without publishing: the workers' relay publishes the seed like any other commit.
 */
export async function seedWorld(db: Db, opts: { envs: number; flags: number }): Promise<Seeded> {
  const ctx = { db, actor: SYSTEM_ACTOR };
  const environments = Array.from({ length: opts.envs }, (_, i) => (i === 0 ? "production" : i === 1 ? "staging" : `env-${i}`));
  const namespaces = ["checkout", "search", "growth"];
  for (const key of environments) await createEnvironment({ ctx, input: { key, name: key } });
  for (const key of namespaces) await createNamespace({ ctx, input: { key, name: key } });
  const flags: FlagSpec[] = [];
  for (let i = 0; i < opts.flags; i++) {
    const spec: FlagSpec = { namespace: namespaces[i % namespaces.length]!, key: `flag-${i}`, type: TYPES[i % TYPES.length]! };
    await createFlag({ ctx, input: { ...spec } });
    flags.push(spec);
  }
  const sdkKeys: SdkKeySpec[] = [];
  for (const environment of environments) {
    const all = await createSdkKey({ ctx, input: { name: `chaos ${environment} all`, environment, namespaces: null } });
    sdkKeys.push({ key: all.key, environment, namespaces: null });
    for (const ns of namespaces) {
      const one = await createSdkKey({ ctx, input: { name: `chaos ${environment} ${ns}`, environment, namespaces: [ns] } });
      sdkKeys.push({ key: one.key, environment, namespaces: [ns] });
    }
  }
  const token = await createApiToken({ ctx, input: { name: "chaos writer", role: "admin", namespaces: null, superAdmin: true } });
  return { environments, namespaces, flags, sdkKeys, apiToken: token.token };
}
