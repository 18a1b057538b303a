import type { FlagType } from "../db/schema";

/** The quick-start data set: small, but with every flag type and different values per environment. */
export const DEMO_ENVIRONMENTS = [
  { key: "development", name: "Development", description: "Local and preview builds" },
  { key: "staging", name: "Staging", description: "Pre-production, mirrors production settings" },
  { key: "production", name: "Production", description: "Live traffic" },
] as const;

export const DEMO_NAMESPACES = [
  { key: "checkout", name: "Checkout", description: "Cart, payment and order confirmation" },
  { key: "search", name: "Search", description: "Query understanding, ranking and result pages" },
] as const;

export interface DemoFlag {
  namespace: string;
  key: string;
  type: FlagType;
  description: string;
  tags: string[];
  defaultValue: unknown;
  values: Record<string, unknown>;
}

export const DEMO_FLAGS: DemoFlag[] = [
  {
    namespace: "checkout",
    key: "new-checkout-flow",
    type: "boolean",
    description: "Serve the redesigned one-page checkout",
    tags: ["release", "team:payments"],
    defaultValue: false,
    values: { development: true, staging: true, production: false },
  },
  {
    namespace: "checkout",
    key: "payment-provider",
    type: "string",
    description: "Which payment provider handles card payments",
    tags: ["ops"],
    defaultValue: "stripe",
    values: { development: "sandbox", staging: "stripe", production: "stripe" },
  },
  {
    namespace: "checkout",
    key: "max-cart-items",
    type: "number",
    description: "Upper limit of items in one cart",
    tags: ["limits"],
    defaultValue: 50,
    values: { development: 500, staging: 100, production: 50 },
  },
  {
    namespace: "checkout",
    key: "promo-banner",
    type: "json",
    description: "Banner shown above the cart",
    tags: ["marketing"],
    defaultValue: null,
    values: {
      development: { text: "Test banner", color: "#0a7", dismissible: true },
      staging: { text: "Free shipping over 50 EUR", color: "#0a7", dismissible: true },
      production: null,
    },
  },
  {
    namespace: "search",
    key: "semantic-search",
    type: "boolean",
    description: "Use vector retrieval next to keyword matching",
    tags: ["experiment"],
    defaultValue: false,
    values: { development: true, staging: false, production: false },
  },
  {
    namespace: "search",
    key: "ranking-model",
    type: "string",
    description: "Model version that ranks results",
    tags: ["ml"],
    defaultValue: "bm25",
    values: { development: "ltr-v3", staging: "ltr-v2", production: "bm25" },
  },
  {
    namespace: "search",
    key: "results-per-page",
    type: "number",
    description: "Results on one search page",
    tags: ["ui"],
    defaultValue: 20,
    values: { development: 10, staging: 20, production: 20 },
  },
  {
    namespace: "search",
    key: "synonyms",
    type: "json",
    description: "Extra synonym groups applied at query time",
    tags: ["relevance"],
    defaultValue: [],
    values: { development: [["tv", "television"], ["laptop", "notebook"]], staging: [["tv", "television"]], production: [] },
  },
];
