/**
 * Tango values as written in feature files, converted in one place:
 *   42  -1  0.5  1e3         numbers
 *   true  false              booleans
 *   "some text"              strings (double quotes)
 *   [1, 2, 3]                arrays (JSON)
 *   ON  PREPARE  ATTR_VALID  bare upper-case words: states and enum labels (compared by name)
 */

export type TangoLiteral = number | boolean | string | readonly TangoLiteral[];

/** The regular expressions of the {tango value} parameter type (alternatives, no capture groups). */
export const TANGO_VALUE_REGEXPS: readonly RegExp[] = [
  /-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?/,
  /true|false/,
  /"(?:[^"\\]|\\.)*"/,
  /\[[^\]]*\]/,
  /[A-Z][A-Z0-9_]*/,
];

export function parseTangoValue(text: string): TangoLiteral {
  const t = text.trim();
  if (/^-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?$/.test(t)) return Number(t);
  if (t === "true" || t === "false") return t === "true";
  if (t.startsWith('"') || t.startsWith("[")) return JSON.parse(t) as TangoLiteral;
  return t;
}

/** Human-readable form for messages (`42`, `"text"`, `[1,2]`, `ON`). */
export function showValue(v: unknown): string {
  if (typeof v === "string") return /^[A-Z][A-Z0-9_]*$/.test(v) ? v : JSON.stringify(v);
  if (typeof v === "bigint") return String(v);
  if (v instanceof Uint8Array) return `bytes[${v.length}]`;
  if (Array.isArray(v)) return `[${v.map(showValue).join(", ")}]`;
  if (v === undefined) return "(nothing)";
  return JSON.stringify(v) ?? String(v);
}

/**
 * Does `actual` (as the client returned it) equal `expected` (from the feature)? Numbers compare by value
 * (bigint included, floats within 1e-9 relative), a label compares with a number through `enumLabels`,
 * arrays element-wise.
 */
export function sameValue(actual: unknown, expected: TangoLiteral, enumLabels: readonly string[] = []): boolean {
  if (Array.isArray(expected)) {
    const a = actual instanceof Uint8Array || ArrayBuffer.isView(actual) ? Array.from(actual as unknown as ArrayLike<number>) : actual;
    return Array.isArray(a) && a.length === expected.length && expected.every((e, i) => sameValue(a[i], e, enumLabels));
  }
  if (typeof expected === "number") {
    const n = typeof actual === "bigint" ? Number(actual) : actual;
    if (typeof n !== "number") return false;
    if (Number.isInteger(expected) && Number.isInteger(n)) return n === expected;
    return Math.abs(n - expected) <= 1e-9 * Math.max(1, Math.abs(expected)) || Math.abs(n - expected) < 1e-6;
  }
  if (typeof expected === "boolean") return actual === expected;
  if (typeof actual === "number" && enumLabels.length > 0) return enumLabels[actual] === expected;
  return typeof actual === "string" && actual === expected;
}

/** A numeric enum value shown with its label when known: `1 (WORK)`. */
export function labelled(v: unknown, enumLabels: readonly string[] = []): string {
  if (typeof v === "number" && enumLabels[v] !== undefined) return `${v} (${enumLabels[v]})`;
  return showValue(v);
}

/** "PREPARE, WORK, REST" / "PREPARE, WORK and REST" → labels. */
export function parseList(text: string): string[] {
  return text
    .split(/\s*(?:,|\band\b|→|->)\s*/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** "2 s", "500 ms", "1.5" (seconds) → milliseconds. */
export function parseDuration(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|seconds?|milliseconds?)?\s*$/.exec(text);
  if (!m) throw new RangeError(`not a duration: ${JSON.stringify(text)} (write e.g. "2 s" or "500 ms")`);
  const n = Number(m[1]);
  return m[2]?.startsWith("m") ? n : n * 1000;
}
