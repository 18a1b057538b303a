import fc from "fast-check";

/**
 * Plausible bodies for the targeting writes (rules PUT, segment create/update, the Unleash import),
 * shared by the admin API and server-action fuzzers as their "valid base": mostly well formed, so
 * some cases succeed and the success path is walked too, with values the verbs' strict checks must
 * refuse (bad semver, regex, CIDR, number, unknown segment or prerequisite, a value of another
 * type) often enough that every one of them is drawn in a run. The fuzzers' mutations then break
 * the structure around them.
 */
const word = fc.stringMatching(/^[a-z0-9.@-]{0,10}$/);

export const constraintArb = fc.oneof(
  fc.record({ contextName: fc.constantFrom("userId", "tenant", "email"), operator: fc.constantFrom("IN", "NOT_IN", "STR_ENDS_WITH"), values: fc.array(word, { maxLength: 4 }) }),
  fc.record({ contextName: fc.constant("appVersion"), operator: fc.constantFrom("SEMVER_GT", "SEMVER_EQ"), value: fc.constantFrom("2.1.0", "2.x", "") }),
  fc.record({ contextName: fc.constant("remoteAddress"), operator: fc.constant("IN_CIDR"), values: fc.constantFrom(["10.0.0.0/8"], ["999.1.1.1/40"]) }),
  fc.record({ contextName: fc.constant("email"), operator: fc.constant("REGEX"), value: fc.constantFrom("^[a-z]+@corp", "(a+)+$", "[") }),
  fc.record({ contextName: fc.constant("age"), operator: fc.constantFrom("NUM_GT", "NUM_LTE"), value: fc.constantFrom("18", "abc", "1e309"), inverted: fc.boolean() }),
);

const serveValue = fc.oneof(fc.boolean(), fc.integer({ min: -5, max: 5 }), fc.constantFrom("a", "b"), fc.constant({ k: [1] }));

const ruleArb = (segments: string[]) =>
  fc.record(
    {
      constraints: fc.array(constraintArb, { maxLength: 3 }),
      segments: fc.array(fc.constantFrom(...segments), { maxLength: 2 }),
      gate: fc.record({ percentage: fc.integer({ min: -1, max: 101 }), groupId: fc.constantFrom("g", "rollout") }, { requiredKeys: ["percentage"] }),
      serve: fc.oneof(
        { weight: 4, arbitrary: fc.record({ value: serveValue }) },
        { weight: 1, arbitrary: fc.record({ split: fc.record({ variants: fc.array(fc.record({ variant: fc.constantFrom("on", "off", "ghost"), weight: fc.integer({ min: 0, max: 100 }) }), { minLength: 1, maxLength: 2 }) }) }) },
      ),
    },
    { requiredKeys: ["constraints", "serve"] },
  );

/** The targeting fields of `PUT .../targeting` (and of the setTargeting action). */
export const targetingArb = (segments: string[], flagKeys: string[]) =>
  fc.record(
    {
      enabled: fc.boolean(),
      offValue: serveValue,
      variants: fc.constantFrom([], [{ name: "on", value: true }, { name: "off", value: false }], [{ name: "on", value: "x" }]),
      prerequisites: fc.array(fc.record({ flag: fc.constantFrom(...flagKeys), enabled: fc.boolean() }), { maxLength: 2 }),
      rules: fc.array(ruleArb(segments), { maxLength: 3 }),
    },
    { requiredKeys: [] },
  );

/** `{ key, name?, constraints }` of a segment create. */
export const segmentArb = (keys: string[]) =>
  fc.record({ key: fc.constantFrom(...keys), name: fc.string({ minLength: 1, maxLength: 20 }), constraints: fc.array(constraintArb, { maxLength: 3 }) }, { requiredKeys: ["key", "constraints"] });

/** Unleash's client features payload: some importable features, some refused (a bad name, a flag of another type). */
export const unleashPayloadArb = (names: string[]) => {
  const strategy = fc.record(
    {
      name: fc.constantFrom("default", "flexibleRollout", "userWithId", "no-such-strategy"),
      parameters: fc.record({ rollout: fc.constantFrom("30", "150", "x"), stickiness: fc.constantFrom("default", "userId"), groupId: fc.constant("g"), userIds: fc.constant("u1,u2") }, { requiredKeys: [] }),
      constraints: fc.array(constraintArb, { maxLength: 2 }),
      segments: fc.constantFrom([], [1], [404]),
    },
    { requiredKeys: ["name"] },
  );
  const feature = fc.record(
    {
      name: fc.constantFrom(...names),
      enabled: fc.boolean(),
      project: fc.constantFrom("default", "fz"),
      strategies: fc.array(strategy, { maxLength: 2 }),
      dependencies: fc.constantFrom([], [{ feature: "imp-a" }], [{ feature: "missing" }]),
    },
    { requiredKeys: ["name", "enabled"] },
  );
  const segment = fc.record({ id: fc.constantFrom(1, 2), name: fc.constantFrom("Beta", ""), constraints: fc.array(constraintArb, { maxLength: 2 }) });
  return fc.record({ version: fc.constant(2), features: fc.array(feature, { maxLength: 3 }), segments: fc.array(segment, { maxLength: 2 }) }, { requiredKeys: ["features"] });
};
