import { eq, inArray } from "drizzle-orm";
import { environments, namespaces, sdkKeys } from "../db/schema";
import { forbidden, ServiceError } from "../errors/service-error";
import { parseInput } from "../validation/parse";
import { writeAudit } from "../audit/write-audit";
import type { ServiceContext } from "../core/context";
import { inTransaction } from "../core/transaction";
import { canCreateKeyFor, selectSdkKeys, toSdkKeyView } from "./key-access";
import { displayPrefix, generateSdkKey, hashSdkKey } from "./key-material";
import { CreateSdkKeySchema, type CreatedSdkKey } from "./schemas";

/**
 * Creates an SDK key bound to one environment and a namespace set (null = all). The plaintext key
 * is returned exactly once; only its hash and a short display prefix are stored or audited.
 */
export async function createSdkKey({ ctx, input }: { ctx: ServiceContext; input: unknown }): Promise<CreatedSdkKey> {
  const data = parseInput(CreateSdkKeySchema, input);
  const scope = data.namespaces === null ? null : [...new Set(data.namespaces)].sort();
  if (!canCreateKeyFor(ctx.actor, scope)) {
    throw forbidden(
      scope === null
        ? "Only administrators can create SDK keys for all namespaces"
        : `Creating an SDK key needs namespace:admin in ${scope.join(", ")}`,
    );
  }
  if (data.kind === "server" && data.allowedOrigins !== null) {
    // A server key's data includes rules; letting a browser origin hold one would defeat client keys.
    throw invalid("allowedOrigins", "only client keys take browser origins");
  }
  const key = generateSdkKey();
  return inTransaction(ctx, async (tx) => {
    const [env] = await tx.select({ id: environments.id }).from(environments).where(eq(environments.key, data.environment));
    if (!env) throw invalid("environment", "no such environment");
    if (scope) {
      const found = await tx.select({ key: namespaces.key }).from(namespaces).where(inArray(namespaces.key, scope));
      const missing = scope.filter((ns) => !found.some((f) => f.key === ns));
      if (missing.length) throw invalid("namespaces", `no such namespace: ${missing.join(", ")}`);
    }
    const at = new Date();
    const [res] = await tx.insert(sdkKeys).values({
      name: data.name,
      keyHash: hashSdkKey(key),
      prefix: displayPrefix(key),
      environmentId: env.id,
      namespaceKeys: scope,
      kind: data.kind,
      allowedOrigins: data.allowedOrigins === null ? null : [...new Set(data.allowedOrigins)],
      createdBy: ctx.actor.name,
      createdAt: at,
    });
    const [row] = await selectSdkKeys(tx).where(eq(sdkKeys.id, Number(res.insertId)));
    const view = toSdkKeyView(row!);
    await writeAudit(tx, ctx.actor, ctx.meta, {
      action: "sdk_key.create",
      targetType: "sdk_key",
      targetId: view.id,
      environmentKey: data.environment,
      namespaceKey: scope?.length === 1 ? scope[0] : null,
      after: view,
      reason: data.reason,
    });
    return { sdkKey: view, key };
  });
}

const invalid = (path: string, message: string) =>
  new ServiceError("validation_failed", "Invalid input", { issues: [{ path, message }] });
