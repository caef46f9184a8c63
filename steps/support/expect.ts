/**
 * The assertions behind the step library, written against TangoWorld so that the step definitions stay one to
 * three lines. Failures are AssertionErrors with messages meant for the report's readers.
 */
import { AssertionError } from "node:assert";
import { on, type Recorded } from "./event-recorder.ts";
import { checkPhases, formatPhaseRows, type PhaseExpectation, phaseSpans } from "./phases.ts";
import { labelled, sameValue, showValue, type TangoLiteral } from "./values.ts";
import { describeError, reasonsOf, type TangoWorld } from "./world.ts";

export function fail(message: string): never {
  throw new AssertionError({ message });
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export async function expectValue(w: TangoWorld, device: string, attribute: string, expected: TangoLiteral): Promise<void> {
  const actual = await w.read(device, attribute);
  const labels = await w.enumLabels(device, attribute);
  if (!sameValue(actual, expected, labels)) {
    fail(`${device} ${attribute} is ${labelled(actual, labels)}, expected ${showValue(expected)}`);
  }
}

/** Reads until the value matches (every 20 ms) or the time is up. */
export async function expectValueWithin(
  w: TangoWorld,
  device: string,
  attribute: string,
  expected: TangoLiteral,
  withinMs: number,
): Promise<void> {
  const labels = await w.enumLabels(device, attribute);
  const deadline = performance.now() + withinMs;
  let last: unknown;
  for (;;) {
    last = await w.read(device, attribute);
    if (sameValue(last, expected, labels)) return;
    if (performance.now() > deadline) break;
    await sleep(20);
  }
  fail(`${device} ${attribute} did not become ${showValue(expected)} within ${withinMs} ms (last read: ${labelled(last, labels)})`);
}

export function expectFailure(w: TangoWorld, reason?: string, mentioning?: string): void {
  const { error, what } = w.claimLastError();
  const reasons = reasonsOf(error);
  if (reason !== undefined && !reasons.includes(reason)) {
    fail(`"${what}" failed with ${reasons.length > 0 ? reasons.join(", ") : describeError(error)}, expected the reason ${reason}`);
  }
  if (mentioning !== undefined && !describeError(error).toLowerCase().includes(mentioning.toLowerCase())) {
    fail(`"${what}" failed with "${describeError(error)}", which does not mention "${mentioning}"`);
  }
}

export function expectSuccess(w: TangoWorld): void {
  const last = w.errors[w.errors.length - 1];
  if (!last) fail("no step tried anything");
  last.claimed = true;
  if (last.error !== undefined) fail(`"${last.what}" failed: ${describeError(last.error)}`);
}

/** Pushed events (not the synchronous read of a subscription) of one attribute since `since`. */
export function pushedEvents(w: TangoWorld, device: string, attribute: string, since: number): Recorded[] {
  return w.recorder.select(on(device, attribute, { since }));
}

function requireSubscription(w: TangoWorld, device: string, attribute: string): void {
  if (!w.recorder.isSubscribed(device, attribute)) {
    throw new RangeError(
      `no subscription to ${device} ${attribute} in this scenario: add "Given I subscribe to change events on ${device} ${attribute}"`,
    );
  }
}

export async function expectEventWithin(
  w: TangoWorld,
  device: string,
  attribute: string,
  expected: TangoLiteral,
  withinMs: number,
): Promise<Recorded> {
  requireSubscription(w, device, attribute);
  const labels = await w.enumLabels(device, attribute);
  const since = w.lastActionAt;
  const hit = await w.recorder.waitFor((r) => on(device, attribute, { since })(r) && sameValue(r.value, expected, labels), withinMs);
  if (!hit) {
    const seen = pushedEvents(w, device, attribute, since).map((r) => labelled(r.value, labels));
    fail(
      `no change event on ${device} ${attribute} reported ${showValue(expected)} within ${withinMs} ms of the last action` +
        ` (events since then: ${seen.length > 0 ? seen.join(", ") : "none"})`,
    );
  }
  return hit;
}

export async function expectExactlyEvents(
  w: TangoWorld,
  device: string,
  attribute: string,
  count: number,
  withinMs: number,
): Promise<void> {
  requireSubscription(w, device, attribute);
  const since = w.lastActionAt;
  const end = since + withinMs;
  const wait = end - w.recorder.now();
  if (wait > 0) await sleep(wait);
  const got = pushedEvents(w, device, attribute, since).filter((r) => r.t <= end);
  if (got.length !== count) {
    const labels = await w.enumLabels(device, attribute);
    fail(
      `expected exactly ${count} change event(s) on ${device} ${attribute} within ${withinMs} ms, got ${got.length}: ${got.map((r) => labelled(r.value, labels)).join(", ") || "none"}`,
    );
  }
}

export async function expectNoFurtherEvent(w: TangoWorld, device: string, attribute: string, forMs: number): Promise<void> {
  requireSubscription(w, device, attribute);
  const since = w.recorder.now();
  const hit = await w.recorder.waitFor(on(device, attribute, { since, kinds: ["change", "periodic", "error"] }), forMs);
  if (hit)
    fail(
      `an event on ${device} ${attribute} arrived ${(hit.t - since).toFixed(0)} ms later: ${hit.kind === "error" ? hit.error : showValue(hit.value)}`,
    );
}

export interface OrderedEvent {
  readonly device: string;
  readonly attribute: string;
  readonly value: TangoLiteral;
}

/** The listed events arrived in this order (other events may come in between). */
export async function expectEventOrder(w: TangoWorld, expected: readonly OrderedEvent[], withinMs: number): Promise<void> {
  const since = w.lastActionAt;
  const labelsOf = new Map<string, readonly string[]>();
  for (const e of expected) labelsOf.set(`${e.device} ${e.attribute}`, await w.enumLabels(e.device, e.attribute));
  const deadline = performance.now() + withinMs;
  for (;;) {
    let i = 0;
    const events = w.recorder.select((r) => r.t >= since && r.synchronous !== true && (r.kind === "change" || r.kind === "periodic"));
    for (const r of events) {
      const e = expected[i];
      if (!e) break;
      if (
        r.device === e.device &&
        r.attribute.toLowerCase() === e.attribute.toLowerCase() &&
        sameValue(r.value, e.value, labelsOf.get(`${e.device} ${e.attribute}`))
      )
        i++;
    }
    if (i === expected.length) return;
    if (performance.now() > deadline) {
      const missing = expected[i] as OrderedEvent;
      const seen = events.map((r) => `${r.device} ${r.attribute}=${showValue(r.value)}`).join(", ");
      fail(
        `events arrived out of order or not at all: the first ${i} matched, then no ${missing.device} ${missing.attribute} = ${showValue(missing.value)} (seen: ${seen || "none"})`,
      );
    }
    await sleep(20);
  }
}

/** Observed labels of a phase attribute, via its enum labels. */
async function phaseObservations(w: TangoWorld, device: string, attribute: string): Promise<{ t: number; label: string }[]> {
  const labels = await w.enumLabels(device, attribute);
  return w.recorder
    .select(
      (r) => r.device === device && r.attribute.toLowerCase() === attribute.toLowerCase() && (r.kind === "observed" || r.kind === "change"),
    )
    .map((r) => ({ t: r.t, label: typeof r.value === "number" ? (labels[r.value] ?? String(r.value)) : String(r.value) }));
}

/**
 * Waits until the observed phases since the last action include `expected` (in order, consecutive), then checks
 * their durations. The first phase starts when the last action (e.g. Start) replied; a command that only replies at
 * the end (AsyncTabata's Run, sent without waiting) starts it when it was sent.
 */
export async function expectPhases(
  w: TangoWorld,
  device: string,
  attribute: string,
  expected: readonly PhaseExpectation[],
  tolerancePct: number,
  withinMs: number,
): Promise<string> {
  const start = w.lastActionDoneAt;
  const deadline = performance.now() + withinMs;
  for (;;) {
    const spans = phaseSpans(await phaseObservations(w, device, attribute), start);
    const done = expected.every((_e, i) => spans[i]?.to !== undefined);
    const mismatch = expected.some((e, i) => spans[i] !== undefined && spans[i]?.label !== e.label);
    const check = checkPhases(spans, expected, tolerancePct);
    const table = formatPhaseRows(check.rows);
    if (done || mismatch || performance.now() > deadline) {
      w.attach(table, { mediaType: "text/plain", fileName: "phase timings.txt" });
      if (!check.ok) fail(`${check.problem}\n${table}\nobserved: ${check.sequence.join(" → ")}`);
      return table;
    }
    await sleep(20);
  }
}
