import { defineRoute } from "../http/route-spec";
import { withApi } from "../http/with-api";
import { importUnleash } from "./import-unleash";
import { ImportReportSchema, ImportUnleashQuerySchema, UnleashPayloadSchema } from "./schemas";

/** Route spec of the Unleash import (issue 14), next to its handler. */
export const importRoutes = {
  importUnleash: defineRoute({
    route: "/api/v1/import/unleash",
    method: "POST",
    idempotent: true,
    tag: "targeting",
    summary: "Import an Unleash client features payload (flags, rules, segments) into one environment",
    description:
      "Body: Unleash's /api/client/features response (with segments), at most 256 KiB (use scripts/import-unleash.ts for more). " +
      "One transaction and one audit event; dryRun=true returns the same report and changes nothing. Namespace admins of every target namespace only. " +
      "Malformed constraint values are kept (they never match, as in Unleash) and listed in notes; a feature name that is not a MizuFlow key, " +
      "an existing flag of another type, or a prerequisite cycle refuses the whole import (422).",
    query: ImportUnleashQuerySchema,
    body: UnleashPayloadSchema,
    response: ImportReportSchema,
    errors: [404],
  }),
};

export const importHandlers = {
  importUnleash: withApi(importRoutes.importUnleash, ({ ctx, query, body }) => importUnleash({ ctx, input: { ...query, payload: body } })),
};
