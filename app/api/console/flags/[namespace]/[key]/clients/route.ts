import { getEtcd } from "@/lib/etcd/client";
import { flagAdoption } from "@/lib/delivery/flag-adoption";
import { ServiceError } from "@/lib/errors/service-error";
import { withApi } from "@/lib/http/with-api";
import { getFlag } from "@/lib/services/flags/get-flag";
import { consoleRoutes } from "../../../../_lib/console-routes";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/**
 * "N of M clients have this change" per environment of one flag. getFlag checks that the viewer may
 * read the namespace (and hides a flag outside it), so the counts never describe anything else.
 */
export const GET = withApi(consoleRoutes.flagClients, async ({ ctx, params }) => {
  const flag = await getFlag({ ctx, input: params });
  try {
    return { environments: await flagAdoption(getEtcd().root, flag.namespace, flag.key, Object.keys(flag.values)) };
  } catch {
    throw new ServiceError("unavailable", "SDK client counts are unavailable right now (etcd did not answer); try again shortly.");
  }
});
