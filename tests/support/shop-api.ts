/**
 * The rules and segments admin API tests (lib/rules/*-api.test.ts) start from the same shop: an
 * API harness with environments production and staging, namespace shop, and an admin, a shop editor
 * and a shop reviewer token. Each file adds the flags and segments its guarantees need.
 */
import { expect } from "vitest";
import { startApiHarness, type ApiHarness } from "./api-test-harness";

export const targetingPath = (key: string, env = "production") => `/api/v1/namespaces/shop/flags/${key}/environments/${env}/targeting`;
export const SEGMENTS_PATH = "/api/v1/namespaces/shop/segments";

export interface ShopApi {
  api: ApiHarness;
  admin: string;
  editor: string;
  reviewer: string;
}

export async function startShopApi(): Promise<ShopApi> {
  const api = await startApiHarness();
  const admin = await api.token({ role: "admin", namespaces: null, superAdmin: true });
  for (const key of ["production", "staging"]) expect((await api.call("POST", "/api/v1/environments", { token: admin, json: { key, name: key } })).status).toBe(201);
  expect((await api.call("POST", "/api/v1/namespaces", { token: admin, json: { key: "shop", name: "Shop" } })).status).toBe(201);
  const editor = await api.token({ role: "editor", namespaces: ["shop"] });
  const reviewer = await api.token({ role: "reviewer", namespaces: ["shop"] });
  return { api, admin, editor, reviewer };
}

/** The JSON document at an etcd key (under the harness's prefix), or null when there is none. */
export async function readEtcdJson(api: ApiHarness, key: string): Promise<any> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const raw = await api.env.etcd.root.get(key).string();
  return raw === null ? null : JSON.parse(raw);
}
