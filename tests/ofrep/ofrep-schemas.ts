import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { expect } from "vitest";

/**
 * JSON Schemas of the OFREP responses MizuFlow serves, transcribed from open-feature/protocol
 * service/openapi.yaml at commit d1a63a4e84e6297599ce566126e7764c1419f80a (OFREP 0.3.0,
 * components/schemas). Every OFREP response in the tests goes through `expectOfrepResponse`.
 */
const metadata = { type: "object", additionalProperties: { oneOf: [{ type: "boolean" }, { type: "string" }, { type: "number" }] } };
const key = { type: "string" };
const errorDetails = { type: "string" };

const schemas = {
  $id: "ofrep",
  $defs: {
    metadata,
    booleanFlag: { type: "object", properties: { value: { type: "boolean" } }, required: ["value"] },
    stringFlag: { type: "object", properties: { value: { type: "string" } }, required: ["value"] },
    integerFlag: { type: "object", properties: { value: { type: "integer" } }, required: ["value"] },
    // The spec lists integerFlag and floatFlag in a oneOf; JSON Schema's "number" also accepts
    // integers, so an integer value would match both and fail the oneOf. Floats are non-integers here.
    floatFlag: { type: "object", properties: { value: { type: "number", not: { type: "integer" } } }, required: ["value"] },
    objectFlag: { type: "object", properties: { value: { type: "object", additionalProperties: true } }, required: ["value"] },
    codeDefaultFlag: { type: "object", properties: {} },
    evaluationSuccess: {
      type: "object",
      required: ["key", "reason"],
      allOf: [
        {
          properties: {
            key,
            reason: { type: "string", enum: ["STATIC", "TARGETING_MATCH", "SPLIT", "DISABLED", "UNKNOWN"] },
            variant: { type: "string" },
            metadata: { $ref: "#/$defs/metadata" },
          },
        },
        {
          oneOf: [
            { $ref: "#/$defs/booleanFlag" },
            { $ref: "#/$defs/stringFlag" },
            { $ref: "#/$defs/integerFlag" },
            { $ref: "#/$defs/floatFlag" },
            { $ref: "#/$defs/objectFlag" },
            // codeDefaultFlag (no value) is left out: MizuFlow always serves a value, so a success
            // without one would be a bug here.
          ],
        },
      ],
    },
    evaluationFailure: {
      type: "object",
      properties: {
        key,
        errorCode: { type: "string", enum: ["PARSE_ERROR", "TARGETING_KEY_MISSING", "INVALID_CONTEXT", "GENERAL"] },
        errorDetails,
        metadata: { $ref: "#/$defs/metadata" },
      },
      required: ["key", "errorCode"],
    },
    flagNotFound: {
      type: "object",
      properties: { key, errorCode: { type: "string", enum: ["FLAG_NOT_FOUND"] }, errorDetails, metadata: { $ref: "#/$defs/metadata" } },
      required: ["key", "errorCode"],
    },
    bulkEvaluationFailure: { type: "object", properties: { errorCode: { type: "string" }, errorDetails }, required: ["errorCode"] },
    generalErrorResponse: { type: "object", properties: { errorDetails } },
    eventStream: {
      type: "object",
      required: ["type"],
      oneOf: [
        { required: ["url"], not: { required: ["endpoint"] } },
        { required: ["endpoint"], not: { required: ["url"] } },
      ],
      properties: {
        type: { type: "string" },
        url: { type: "string", format: "uri" },
        endpoint: {
          type: "object",
          required: ["requestUri"],
          properties: { origin: { type: "string", format: "uri" }, requestUri: { type: "string", pattern: "^/" } },
        },
        inactivityDelaySec: { type: "integer", minimum: 1 },
      },
    },
    bulkEvaluationSuccess: {
      type: "object",
      required: ["flags"],
      properties: {
        flags: { type: "array", items: { oneOf: [{ $ref: "#/$defs/evaluationSuccess" }, { $ref: "#/$defs/evaluationFailure" }] } },
        metadata: { $ref: "#/$defs/metadata" },
        eventStreams: { type: "array", items: { $ref: "#/$defs/eventStream" } },
      },
    },
    sseEventData: {
      type: "object",
      required: ["type"],
      properties: {
        type: { type: "string" },
        etag: { type: "string" },
        lastModified: { oneOf: [{ type: "integer", minimum: 0 }, { type: "string", format: "date-time" }] },
      },
    },
  },
};

const ajv = new Ajv2020({ allErrors: true, strict: false });
addFormats.default(ajv);
ajv.addSchema(schemas);

function check(ref: string, body: unknown): void {
  const validate = ajv.getSchema(`ofrep#/$defs/${ref}`);
  if (!validate) throw new Error(`no schema ${ref}`);
  const ok = validate(body);
  expect(ok, `${ref}: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(body).slice(0, 500)}`).toBe(true);
}

/** Which schema a response of `endpoint` with `status` must match (openapi.yaml's responses). */
export function expectOfrepResponse(endpoint: "single" | "bulk" | "event", status: number, body: unknown): void {
  if (endpoint === "event") return check("sseEventData", body);
  if (status === 304 || status === 401 || status === 403 || status === 429 || status === 413 || status === 405 || status === 503) return; // no body schema in the spec
  if (status === 500) return check("generalErrorResponse", body);
  if (endpoint === "single") {
    if (status === 200) return check("evaluationSuccess", body);
    if (status === 404) return check("flagNotFound", body);
    if (status === 400) return check("evaluationFailure", body);
  } else {
    if (status === 200) return check("bulkEvaluationSuccess", body);
    if (status === 400) return check("bulkEvaluationFailure", body);
  }
  throw new Error(`the spec defines no ${status} response for the ${endpoint} endpoint`);
}
