/**
 * What the two Tango 10 ALARM event suites share (alarm-events.test.ts: a pytango 10 server; alarm-events-our-server.test.ts:
 * ours): the comparable form of an event item, the items the fixture's `SetLevel` scenario produces, and a bounded
 * reader of a subscription.
 */
import type { EventSubscription } from "../events/consumer.ts";
import type { EventItem } from "../events/event-item.ts";

export type Seen = { kind: "value"; value: unknown; quality: string; timeUs?: number } | { kind: "error"; reasons: string[] };

export function seen(i: EventItem): Seen {
  if (i.kind === "value") return { kind: "value", value: i.value, quality: i.quality, timeUs: i.timeUs };
  if (i.kind === "error") return { kind: "error", reasons: i.error.errors.map((e) => e.reason) };
  throw new Error(`unexpected ${i.kind} item`);
}

/** Items without the time stamps of reads and computed events (they differ between devices and servers). */
export function untimed(items: readonly Seen[]): Seen[] {
  return items.map((s) => (s.kind === "value" ? { kind: s.kind, value: s.value, quality: s.quality } : s));
}

/**
 * SetLevel 1, 6, 7, 11, 0, -6 with detect on (limits warning ±5, alarm ±10), after the synchronous read of 0: an alarm
 * event when the quality changes, and the first push; 7 (WARNING after WARNING) is not sent.
 */
export const LEVEL: Seen[] = [
  { kind: "value", value: 0, quality: "ATTR_VALID" },
  { kind: "value", value: 1, quality: "ATTR_VALID" },
  { kind: "value", value: 6, quality: "ATTR_WARNING" },
  { kind: "value", value: 11, quality: "ATTR_ALARM" },
  { kind: "value", value: 0, quality: "ATTR_VALID" },
  { kind: "value", value: -6, quality: "ATTR_WARNING" },
];

/** The next `n` items of a subscription, or fewer if they do not come within `ms` (the subscription is then closed). */
export async function take(sub: EventSubscription, n: number, ms = 5000): Promise<EventItem[]> {
  const out: EventItem[] = [];
  const it = sub[Symbol.asyncIterator]();
  const deadline = setTimeout(() => void sub.close(), ms);
  try {
    while (out.length < n) {
      const r = await it.next();
      if (r.done) break;
      out.push(r.value);
    }
  } finally {
    clearTimeout(deadline);
  }
  return out;
}
