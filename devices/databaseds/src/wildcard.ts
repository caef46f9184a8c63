/** Name helpers of the C++ DataBaseds (DataBaseUtils.cpp), re-stated for SQLite. */

/**
 * Tango wildcard → SQL LIKE pattern (C++ replace_wildcard): `%` and `_` are escaped with `\`,
 * then `*` becomes `%`. Use with `LIKE ? ESCAPE '\'`.
 */
export function likePattern(wildcard: string): string {
  return wildcard.replace(/[%_\\]/g, (c) => `\\${c}`).replace(/\*/g, "%");
}

/**
 * A string the C++ server puts into LIKE without replace_wildcard (MySQL semantics: `%`/`_` are
 * wildcards, `\` escapes). Kept as is; only a trailing lone backslash is neutralised for SQLite.
 */
export function rawLike(s: string): string {
  return s.endsWith("\\") && !s.endsWith("\\\\") ? `${s}\\` : s;
}

/**
 * C++ check_device_name: `[tango:|taco:][//instance/]domain/family/member` with no `*`.
 * Returns the name stripped of protocol and instance, or undefined when the syntax is wrong.
 */
export function checkDeviceName(name: string): string | undefined {
  if (name.includes("*")) return undefined;
  let dev = name;
  if (dev.startsWith("tango:")) dev = dev.slice(6);
  else if (dev.startsWith("taco:")) dev = dev.slice(5);
  if (dev.startsWith("//")) {
    const idx = dev.indexOf("/", 2);
    if (idx <= 0) return undefined;
    dev = dev.slice(idx + 1);
  }
  const i1 = dev.indexOf("/");
  if (i1 <= 0) return undefined;
  const i2 = dev.indexOf("/", i1 + 1);
  if (i2 < 0) return undefined;
  return dev;
}

/** domain/family/member of a checked device name (member keeps any further `/`). */
export function splitDeviceName(name: string): { domain: string; family: string; member: string } {
  const i1 = name.indexOf("/");
  const i2 = name.indexOf("/", i1 + 1);
  return { domain: name.slice(0, i1), family: name.slice(i1 + 1, i2), member: name.slice(i2 + 1) };
}

const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
] as const;

function ordinal(n: number): string {
  const tens = n % 100;
  if (tens >= 11 && tens <= 13) return `${n}th`;
  const suffix = n % 10 === 1 ? "st" : n % 10 === 2 ? "nd" : n % 10 === 3 ? "rd" : "th";
  return `${n}${suffix}`;
}

/** MySQL DATE_FORMAT(date, '%D %M %Y at %H:%i:%s') of a `YYYY-MM-DD HH:MM:SS` string ("?" if unparsable). */
export function infoDate(sqlDate: string | null | undefined): string {
  if (!sqlDate) return "?";
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})/.exec(sqlDate);
  if (!m) return "?";
  const month = MONTHS[Number(m[2]) - 1];
  if (month === undefined) return "?";
  return `${ordinal(Number(m[3]))} ${month} ${m[1]} at ${m[4]}:${m[5]}:${m[6]}`;
}
