import { withApi } from "../with-api";
import { flagRoutes } from "../routes";
import { archiveFlag } from "../../services/flags/archive-flag";
import { createFlag } from "../../services/flags/create-flag";
import { deleteFlag } from "../../services/flags/delete-flag";
import { getFlag } from "../../services/flags/get-flag";
import { listFlags } from "../../services/flags/list-flags";
import { setFlagValue } from "../../services/flags/set-flag-value";
import { setFlagValues } from "../../services/flags/set-flag-values";
import { updateFlag } from "../../services/flags/update-flag";

/** The flags endpoints of the admin API, shared by the Next.js route files and the sidecar (node-api-adapter.ts). */
export const flagHandlers = {
  archive: withApi(flagRoutes.archive, ({ ctx, params, body }) =>
    archiveFlag({ ctx, input: { ...body, ...params } })),
  get: withApi(flagRoutes.get, ({ ctx, params }) => getFlag({ ctx, input: params })),
  update: withApi(flagRoutes.update, ({ ctx, params, body }) =>
    updateFlag({ ctx, input: { ...body, ...params } })),
  delete: withApi(flagRoutes.delete, ({ ctx, params, query }) =>
    deleteFlag({ ctx, input: { ...query, ...params } })),
  setValue: withApi(flagRoutes.setValue, ({ ctx, params, body }) =>
    setFlagValue({ ctx, input: { ...body, ...params } })),
  setValues: withApi(flagRoutes.setValues, ({ ctx, body }) => setFlagValues({ ctx, input: body })),
  list: withApi(flagRoutes.list, ({ ctx, query }) => listFlags({ ctx, input: query })),
  create: withApi(flagRoutes.create, ({ ctx, body }) => createFlag({ ctx, input: body })),
};
