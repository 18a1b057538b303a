import { ofrepResponse } from "./web-transport";
import { getDb } from "../db/client";
import { getProcessDelivery } from "../delivery/process-delivery";
import { OfrepService } from "./ofrep-service";

/** The Next.js process's OFREP service, on the same watch hub as its SDK stream (one etcd watch). */
const slot = globalThis as unknown as { mizuflowOfrep?: OfrepService };

export function getProcessOfrep(): OfrepService {
  const { hub, core } = getProcessDelivery();
  slot.mizuflowOfrep ??= new OfrepService({ db: getDb(), hub, trustProxy: core.trustProxy });
  return slot.mizuflowOfrep;
}

/** OFREP as a Next.js route handler (app/ofrep/v1/[...path], one line): evaluate, bulk evaluate, change events. */
export const ofrepWebRoute = (request: Request): Promise<Response> => ofrepResponse(getProcessOfrep(), request);
