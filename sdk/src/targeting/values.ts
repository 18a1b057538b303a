import ipaddr from "ipaddr.js";
import { RE2JS } from "re2js";
import semver from "semver";

/**
 * Parsers for the values constraints compare against. Each returns undefined for a malformed
 * value: the save check turns that into a 422 naming the field, the compiler into a constraint
 * whose operator never matches (Unleash's behaviour for imports).
 */

/** Unleash trims list values and drops empty ones. */
export function cleanValues(values: readonly string[] | undefined): string[] {
  if (!values) return [];
  const out: string[] = [];
  for (const v of values) if (v) out.push(v.trim());
  return out;
}

export function parseNumber(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}

/** Unleash's reading of a NUM_* value (Number(), so "" is 0); NaN when absent or not a number. */
export function unleashNumber(value: string | undefined): number {
  return value === undefined ? Number.NaN : Number(value);
}

/** Milliseconds since the epoch, from an ISO-8601 (or Date-parsable) string. */
export function parseDate(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  const t = new Date(value).getTime();
  return Number.isNaN(t) ? undefined : t;
}

/** A constraint's version: semver 2.0 (semver's strict parse, which tolerates a leading "v"). */
export function parseSemverValue(value: string | undefined): semver.SemVer | undefined {
  if (value === undefined) return undefined;
  return semver.parse(value) ?? undefined;
}

/** A context's version: strict semver 2.0 without the "v" prefix (Unleash refuses it there). */
export function parseSemver(value: string | undefined): semver.SemVer | undefined {
  if (value === undefined || value.startsWith("v")) return undefined;
  const v = semver.parse(value);
  return v ?? undefined;
}

export function compileRegex(value: string | undefined, caseInsensitive: boolean): RE2JS | undefined {
  if (value === undefined) return undefined;
  try {
    return RE2JS.compile(value, caseInsensitive ? RE2JS.CASE_INSENSITIVE : 0);
  } catch {
    return undefined;
  }
}

export type ParsedAddress = ipaddr.IPv4 | ipaddr.IPv6;
export type ParsedRange = [ParsedAddress, number];

/** A plain IPv4 (four decimal parts) or IPv6 address. */
export function parseAddress(value: string): ParsedAddress | undefined {
  if (ipaddr.IPv4.isValidFourPartDecimal(value)) return ipaddr.IPv4.parse(value);
  if (ipaddr.IPv6.isValid(value)) {
    try {
      return ipaddr.IPv6.parse(value);
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** "a.b.c.d/n", "x::y/n", or a bare address (a one-address range). */
export function parseRange(value: string): ParsedRange | undefined {
  const slash = value.indexOf("/");
  const addr = parseAddress(slash === -1 ? value : value.slice(0, slash));
  if (!addr) return undefined;
  const max = addr.kind() === "ipv4" ? 32 : 128;
  if (slash === -1) return [addr, max];
  const bitsText = value.slice(slash + 1);
  if (!/^\d{1,3}$/.test(bitsText)) return undefined;
  const bits = Number(bitsText);
  return bits <= max ? [addr, bits] : undefined;
}

/**
 * Whether a context address lies in a range. The context may itself be written as a range
 * ("10.1.0.0/16"), which unleash-client accepts: it matches when it is the range's own address or
 * a sub-range of it.
 */
export function inRange(context: ParsedRange, range: ParsedRange): boolean {
  const [addr, bits] = context;
  if (addr.kind() !== range[0].kind()) return false;
  if (addr.toNormalizedString() === range[0].toNormalizedString()) return true;
  return bits >= range[1] && addr.match(range);
}
