/** Change/archive criteria of the Tango event system (cppTango eventsupplier.cpp detect_change, simplified). */

export interface Criteria {
  readonly lower: number;
  readonly upper: number;
}

/** "x" → ±|x|; "a,b" → -|a|, +|b|; "Not specified"/""/"0"/NaN → undefined (disabled). */
export function parseCriteria(s: string | undefined): Criteria | undefined {
  if (s === undefined) return undefined;
  const t = s.trim();
  if (t === "" || t === "Not specified" || t === "NaN") return undefined;
  const parts = t.split(",").map((x) => Number(x.trim()));
  const a = parts[0];
  const b = parts.length > 1 ? parts[1] : a;
  if (a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b)) return undefined;
  if (a === 0 && b === 0) return undefined;
  return { lower: -Math.abs(a), upper: Math.abs(b) };
}

export interface Snapshot {
  /** Read part of the value (no set point). */
  readonly items: readonly unknown[];
  readonly quality: number;
  /** Reason of the error when the read failed. */
  readonly error?: string;
}

function toNum(v: unknown): number {
  return typeof v === "bigint" ? Number(v) : Number(v);
}

/** Would a change (or archive) event be sent going from `prev` to `cur`? */
export function isChange(prev: Snapshot | undefined, cur: Snapshot, numeric: boolean, abs?: Criteria, rel?: Criteria): boolean {
  if (!prev) return true;
  if (prev.error !== cur.error) return true;
  if (cur.error !== undefined) return false;
  if (prev.quality !== cur.quality) return true;
  if (prev.items.length !== cur.items.length) return true;
  for (let i = 0; i < cur.items.length; i++) {
    const a = prev.items[i];
    const b = cur.items[i];
    if (!numeric || (!abs && !rel)) {
      if (!sameValue(a, b)) return true;
      continue;
    }
    const x = toNum(a);
    const y = toNum(b);
    if (Number.isNaN(x) !== Number.isNaN(y)) return true;
    if (Number.isNaN(x)) continue;
    if (abs) {
      const d = y - x;
      if (d <= abs.lower || d >= abs.upper) return true;
    }
    if (rel) {
      const d = x === 0 ? (y === 0 ? 0 : 100) : ((y - x) * 100) / Math.abs(x);
      if (d <= rel.lower || d >= rel.upper) return true;
    }
  }
  return false;
}

/**
 * Would an alarm event (Tango 10) be sent going from `prev` to `cur`? The first one, a change of quality (ATTR_VALID,
 * ATTR_WARNING, ATTR_ALARM... as computed from the alarm/warning limits or given), or a read error appearing,
 * changing reason or going away; an unchanged quality with another value is not.
 */
export function isAlarmChange(prev: Snapshot | undefined, cur: Snapshot): boolean {
  if (!prev) return true;
  if (prev.error !== cur.error) return true;
  if (cur.error !== undefined) return false;
  return prev.quality !== cur.quality;
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a instanceof Uint8Array && b instanceof Uint8Array) return Buffer.compare(a, b) === 0;
  if (typeof a === "object" && a !== null && typeof b === "object" && b !== null) {
    const x = a as { format?: unknown; data?: unknown };
    const y = b as { format?: unknown; data?: unknown };
    return x.format === y.format && sameValue(x.data, y.data);
  }
  return a === b || (typeof a === "number" && typeof b === "number" && Number.isNaN(a) && Number.isNaN(b));
}
