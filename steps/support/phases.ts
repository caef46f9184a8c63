/**
 * Phase timing from observations: consecutive values of a phase-like attribute (running_state) become spans;
 * each expected phase is compared with its nominal duration. A span is measured between two observed
 * transitions (the first one starts at `start`, typically the moment the workout was started).
 */

export interface PhaseSpan {
  readonly label: string;
  readonly from: number;
  /** Undefined while the phase has not ended. */
  readonly to: number | undefined;
}

export interface PhaseExpectation {
  readonly label: string;
  readonly nominalMs: number;
}

export interface PhaseRow {
  readonly label: string;
  readonly nominalMs: number;
  readonly measuredMs: number | undefined;
  readonly errorPct: number | undefined;
  readonly ok: boolean;
}

export interface PhaseCheck {
  readonly ok: boolean;
  readonly rows: readonly PhaseRow[];
  /** The observed sequence of labels from `start`. */
  readonly sequence: readonly string[];
  readonly problem?: string;
}

/** Spans of consecutive equal labels, the first starting at `start` (observations before `start` only give the initial label). */
export function phaseSpans(observations: readonly { t: number; label: string }[], start: number): PhaseSpan[] {
  const sorted = [...observations].sort((a, b) => a.t - b.t);
  let initial: string | undefined;
  const after: { t: number; label: string }[] = [];
  for (const o of sorted) {
    if (o.t <= start) initial = o.label;
    else after.push(o);
  }
  const spans: { label: string; from: number; to: number | undefined }[] = [];
  if (initial !== undefined) spans.push({ label: initial, from: start, to: undefined });
  for (const o of after) {
    const last = spans[spans.length - 1];
    if (last && last.label === o.label) continue;
    if (last) last.to = o.t;
    spans.push({ label: o.label, from: last ? o.t : start, to: undefined });
  }
  return spans;
}

export function checkPhases(spans: readonly PhaseSpan[], expected: readonly PhaseExpectation[], tolerancePct: number): PhaseCheck {
  const sequence = spans.map((s) => s.label);
  const rows: PhaseRow[] = [];
  let problem: string | undefined;
  expected.forEach((e, i) => {
    const s = spans[i];
    if (!s || s.label !== e.label) {
      problem ??= `phase ${i + 1} should be ${e.label} but the observed sequence is ${sequence.join(" → ") || "(nothing)"}`;
      rows.push({ label: e.label, nominalMs: e.nominalMs, measuredMs: undefined, errorPct: undefined, ok: false });
      return;
    }
    if (s.to === undefined) {
      problem ??= `phase ${i + 1} (${e.label}) has not ended`;
      rows.push({ label: e.label, nominalMs: e.nominalMs, measuredMs: undefined, errorPct: undefined, ok: false });
      return;
    }
    const measuredMs = s.to - s.from;
    const errorPct =
      e.nominalMs === 0 ? (measuredMs === 0 ? 0 : Number.POSITIVE_INFINITY) : ((measuredMs - e.nominalMs) / e.nominalMs) * 100;
    const ok = Math.abs(errorPct) <= tolerancePct;
    if (!ok)
      problem ??= `phase ${i + 1} (${e.label}) lasted ${measuredMs.toFixed(1)} ms, nominal ${e.nominalMs} ms (${errorPct.toFixed(1)} %)`;
    rows.push({ label: e.label, nominalMs: e.nominalMs, measuredMs, errorPct, ok });
  });
  return problem === undefined ? { ok: true, rows, sequence } : { ok: false, rows, sequence, problem };
}

/** A fixed-width table for messages and report attachments. */
export function formatPhaseRows(rows: readonly PhaseRow[]): string {
  const head = "phase      nominal    measured   error";
  const lines = rows.map((r) =>
    [
      r.label.padEnd(10),
      (r.nominalMs === 0 ? "—" : `${r.nominalMs.toFixed(0)} ms`).padStart(9),
      (r.measuredMs === undefined ? "—" : `${r.measuredMs.toFixed(1)} ms`).padStart(11),
      (r.errorPct === undefined || !Number.isFinite(r.errorPct) ? "—" : `${r.errorPct >= 0 ? "+" : ""}${r.errorPct.toFixed(2)} %`).padStart(
        9,
      ),
      r.ok ? "" : "  ✗",
    ].join(" "),
  );
  return [head, ...lines].join("\n");
}
