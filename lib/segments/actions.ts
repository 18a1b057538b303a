import { defineAction } from "../actions/define-action";
import { formCodec, int, optInt, optText, text, value } from "../actions/form-codec";
import { rollbackSegment } from "./rollback-segment";
import { createSegment, deleteSegment, updateSegment } from "./segment-verbs";

/**
 * Console actions for segments (issue 14); the verbs' schemas (./schemas.ts) validate the input. The
 * verbs check flag:write on every environment of the namespace (a segment is served in all of them).
 */
export const createSegmentAction = defineAction({
  name: "createSegment",
  codec: formCodec({ namespace: text, key: text, name: optText, constraints: value, reason: optText }),
  run: createSegment,
  success: (s) => `Created segment ${s.namespace}/${s.key}`,
});

export const updateSegmentAction = defineAction({
  name: "updateSegment",
  codec: formCodec({ namespace: text, segmentKey: text, name: value, constraints: value, expectedVersion: optInt, reason: optText }),
  run: updateSegment,
  success: (s) => `Saved segment ${s.namespace}/${s.key} (version ${s.version})`,
});

export const deleteSegmentAction = defineAction({
  name: "deleteSegment",
  codec: formCodec({ namespace: text, segmentKey: text, expectedVersion: optInt, reason: optText }),
  run: deleteSegment,
  success: (_r, i) => `Deleted segment ${i.namespace}/${i.segmentKey}`,
});

/** Segment rollback (the name and constraints of an earlier audited version saved again). */
export const rollbackSegmentAction = defineAction({
  name: "rollbackSegment",
  codec: formCodec({ namespace: text, segmentKey: text, toVersion: int, expectedVersion: optInt, reason: optText }),
  run: rollbackSegment,
  success: (s, i) => `Rolled segment ${s.namespace}/${s.key} back to version ${i.toVersion}; it is now version ${s.version}`,
});
