/**
 * The scenario timeline as a standalone SVG: one band per phase-like attribute (running_state, State) drawn as
 * coloured segments, then one row per numeric series (counter values) drawn as a step line with a dot per
 * received event, error events as red crosses, commands as ticks on a "commands" row. Pure function of the
 * recorded entries, so it is unit-testable and deterministic.
 */

export type TimelineKind = "change" | "periodic" | "observed" | "read" | "error" | "command" | "note";

export interface TimelineEntry {
  /** Milliseconds since the scenario started (monotonic). */
  readonly t: number;
  readonly device: string;
  /** Attribute name, command name for kind "command", free text for "note". */
  readonly attribute: string;
  readonly kind: TimelineKind;
  readonly value?: unknown;
  readonly error?: string;
}

export interface TimelineOptions {
  readonly title?: string;
  readonly width?: number;
  /** Attributes drawn as bands (default running_state and State). */
  readonly bandAttributes?: readonly string[];
  /** Labels of enum values for band attributes given as numbers (default PREPARE, WORK, REST). */
  readonly enumLabels?: Readonly<Record<string, readonly string[]>>;
}

const BAND_COLORS: Record<string, string> = {
  PREPARE: "#f2b134",
  WORK: "#e4572e",
  REST: "#4caf50",
  ON: "#2e86de",
  OFF: "#9aa5b1",
  RUNNING: "#2e86de",
  FAULT: "#c0392b",
  ALARM: "#e67e22",
  UNKNOWN: "#d5d8dc",
};
const PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#7f7f7f"];

function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

function fmt(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}

function bandLabel(attr: string, value: unknown, enumLabels: Readonly<Record<string, readonly string[]>>): string {
  if (typeof value === "number") return enumLabels[attr]?.[value] ?? String(value);
  return String(value);
}

function colorFor(label: string, i: number): string {
  return BAND_COLORS[label.toUpperCase()] ?? (PALETTE[i % PALETTE.length] as string);
}

interface Segment {
  readonly from: number;
  readonly to: number;
  readonly label: string;
}

/** Consecutive equal values merged into segments; the last one runs to `end`. */
export function segments(points: readonly { t: number; label: string }[], end: number): Segment[] {
  const out: Segment[] = [];
  for (const p of points) {
    const last = out[out.length - 1];
    if (last && last.label === p.label) continue;
    if (last) out[out.length - 1] = { ...last, to: p.t };
    out.push({ from: p.t, to: end, label: p.label });
  }
  return out;
}

function numeric(v: unknown): number | undefined {
  if (typeof v === "number" && Number.isFinite(v)) return v;
  if (typeof v === "bigint") return Number(v);
  if (typeof v === "boolean") return v ? 1 : 0;
  return undefined;
}

export function timelineSvg(entries: readonly TimelineEntry[], opts: TimelineOptions = {}): string {
  const width = opts.width ?? 960;
  const bandAttrs = new Set((opts.bandAttributes ?? ["running_state", "State"]).map((a) => a.toLowerCase()));
  const enumLabels = opts.enumLabels ?? { running_state: ["PREPARE", "WORK", "REST"] };
  const sorted = [...entries].sort((a, b) => a.t - b.t);
  const end = Math.max(1, ...sorted.map((e) => e.t)) * 1.02;
  const left = 190;
  const right = 20;
  const plotW = width - left - right;
  const x = (t: number): number => left + (t / end) * plotW;

  // Group rows.
  const bands = new Map<string, { t: number; label: string }[]>();
  const series = new Map<string, { t: number; v: number; kind: TimelineKind }[]>();
  const errors = new Map<string, number[]>();
  const commands: TimelineEntry[] = [];
  const notes: TimelineEntry[] = [];
  for (const e of sorted) {
    const key = `${e.device} ${e.attribute}`;
    if (e.kind === "command") {
      commands.push(e);
      continue;
    }
    if (e.kind === "note") {
      notes.push(e);
      continue;
    }
    if (e.kind === "error") {
      const list = errors.get(key) ?? [];
      list.push(e.t);
      errors.set(key, list);
      if (!series.has(key) && !bands.has(key)) series.set(key, []);
      continue;
    }
    if (bandAttrs.has(e.attribute.toLowerCase())) {
      const list = bands.get(key) ?? [];
      list.push({ t: e.t, label: bandLabel(e.attribute, e.value, enumLabels) });
      bands.set(key, list);
      continue;
    }
    const v = numeric(e.value);
    if (v === undefined) continue;
    const list = series.get(key) ?? [];
    list.push({ t: e.t, v, kind: e.kind });
    series.set(key, list);
  }

  const parts: string[] = [];
  let y = 10;
  const title = opts.title ?? "Scenario timeline";
  parts.push(`<text x="10" y="${y + 14}" font-size="15" font-weight="bold">${esc(title)}</text>`);
  y += 30;

  const rowLabel = (label: string, yy: number, h: number): void => {
    const [dev, attr] = [label.slice(0, label.lastIndexOf(" ")), label.slice(label.lastIndexOf(" ") + 1)];
    parts.push(
      `<text x="${left - 8}" y="${yy + h / 2 - 2}" font-size="11" text-anchor="end">${esc(dev)}</text>`,
      `<text x="${left - 8}" y="${yy + h / 2 + 11}" font-size="11" text-anchor="end" font-weight="bold">${esc(attr)}</text>`,
    );
  };

  // Phase bands.
  let bandIdx = 0;
  for (const [key, points] of bands) {
    const h = 28;
    rowLabel(key, y, h);
    const segs = segments(points, end);
    for (const s of segs) {
      const w = Math.max(1, x(s.to) - x(s.from));
      const color = colorFor(s.label, bandIdx);
      parts.push(
        `<rect class="phase" data-phase="${esc(s.label)}" x="${x(s.from).toFixed(1)}" y="${y}" width="${w.toFixed(1)}" height="${h}" fill="${color}" opacity="0.85"><title>${esc(`${s.label}: ${fmt(s.from)}–${fmt(s.to)} ms (${fmt(s.to - s.from)} ms)`)}</title></rect>`,
      );
      if (w > 40) parts.push(`<text x="${(x(s.from) + 4).toFixed(1)}" y="${y + 18}" font-size="11" fill="#fff">${esc(s.label)}</text>`);
    }
    for (const t of errors.get(key) ?? []) parts.push(cross(x(t), y + h / 2));
    y += h + 8;
    bandIdx++;
  }

  // Numeric series.
  let sIdx = 0;
  for (const [key, points] of series) {
    const h = 46;
    const color = PALETTE[sIdx % PALETTE.length] as string;
    rowLabel(key, y, h);
    parts.push(`<rect x="${left}" y="${y}" width="${plotW}" height="${h}" fill="#f7f9fb" stroke="#e1e5ea"/>`);
    if (points.length > 0) {
      const vs = points.map((p) => p.v);
      const lo = Math.min(...vs);
      const hi = Math.max(...vs);
      const yv = (v: number): number => (hi === lo ? y + h / 2 : y + h - 6 - ((v - lo) / (hi - lo)) * (h - 12));
      let d = "";
      points.forEach((p, i) => {
        const px = x(p.t).toFixed(1);
        const py = yv(p.v).toFixed(1);
        if (i === 0) d += `M${px},${py}`;
        else d += `H${px}V${py}`;
      });
      d += `H${x(end).toFixed(1)}`;
      parts.push(`<path class="series" d="${d}" fill="none" stroke="${color}" stroke-width="1.5"/>`);
      for (const p of points) {
        const r = p.kind === "observed" || p.kind === "read" ? 1.5 : 2.5;
        parts.push(
          `<circle cx="${x(p.t).toFixed(1)}" cy="${yv(p.v).toFixed(1)}" r="${r}" fill="${color}"><title>${esc(`${key} = ${fmt(p.v)} (${p.kind}) at ${fmt(p.t)} ms`)}</title></circle>`,
        );
      }
      parts.push(`<text x="${left + plotW - 4}" y="${y + 11}" font-size="9" text-anchor="end" fill="#555">${fmt(lo)}…${fmt(hi)}</text>`);
    }
    for (const t of errors.get(key) ?? []) parts.push(cross(x(t), y + h / 2));
    y += h + 6;
    sIdx++;
  }

  // Commands and notes.
  if (commands.length > 0 || notes.length > 0) {
    const h = 24;
    parts.push(`<text x="${left - 8}" y="${y + 15}" font-size="11" text-anchor="end" font-weight="bold">commands</text>`);
    parts.push(`<line x1="${left}" y1="${y + h / 2}" x2="${left + plotW}" y2="${y + h / 2}" stroke="#ccc"/>`);
    for (const c of commands) {
      parts.push(
        `<line class="command" x1="${x(c.t).toFixed(1)}" y1="${y + 3}" x2="${x(c.t).toFixed(1)}" y2="${y + h - 3}" stroke="#333" stroke-width="1.5"><title>${esc(`${c.device} ${c.attribute}${c.value === undefined ? "" : `(${String(c.value)})`} at ${fmt(c.t)} ms`)}</title></line>`,
      );
    }
    for (const n of notes) {
      parts.push(
        `<polygon points="${x(n.t).toFixed(1)},${y + 3} ${(x(n.t) + 5).toFixed(1)},${y + h / 2} ${x(n.t).toFixed(1)},${y + h - 3} ${(x(n.t) - 5).toFixed(1)},${y + h / 2}" fill="#8e44ad"><title>${esc(`${n.attribute} at ${fmt(n.t)} ms`)}</title></polygon>`,
      );
    }
    y += h + 6;
  }

  // Time axis.
  const step = niceStep(end);
  parts.push(`<line x1="${left}" y1="${y}" x2="${left + plotW}" y2="${y}" stroke="#333"/>`);
  for (let t = 0; t <= end; t += step) {
    parts.push(`<line x1="${x(t).toFixed(1)}" y1="${y}" x2="${x(t).toFixed(1)}" y2="${y + 5}" stroke="#333"/>`);
    parts.push(`<text x="${x(t).toFixed(1)}" y="${y + 17}" font-size="10" text-anchor="middle">${fmt(t / 1000)} s</text>`);
  }
  y += 28;
  if (sorted.length === 0) parts.push(`<text x="${left}" y="${y}" font-size="12">no events were recorded</text>`);
  const height = y + 10;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    ...parts,
    "</svg>",
    "",
  ].join("\n");
}

function cross(cx: number, cy: number): string {
  const s = 5;
  return `<path class="error" d="M${cx - s},${cy - s}L${cx + s},${cy + s}M${cx - s},${cy + s}L${cx + s},${cy - s}" stroke="#c0392b" stroke-width="2.5"/>`;
}

function niceStep(endMs: number): number {
  const raw = endMs / 10;
  const pow = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (raw <= m * pow) return m * pow;
  return 10 * pow;
}
