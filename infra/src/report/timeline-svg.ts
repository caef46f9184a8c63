/**
 * The scenario timeline as a standalone SVG (no fonts, scripts or links): what the scenario did and saw, on one
 * time axis, so that a reader can tell the story without the logs.
 *
 *   infrastructure  dashed vertical lines across every row, labelled ("tabata/counters killed", "… answers again")
 *   phase bands     running_state / State as coloured segments (observed by fast reads, else sampled)
 *   value rows      one per numeric attribute: a solid step line of the values the test SAMPLED (read itself),
 *                   broken and hatched where the device did not answer; a dashed line where the value is only
 *                   known from events; the EVENTS received drawn on top as ringed dots, the synchronous read of a
 *                   subscription as a hollow dot, error events as red crosses with their reason
 *   commands        a tick per command/write (name on hover, short label when there is room), failed replies as
 *                   red crosses, other notes as diamonds
 *   legend          only the symbols that appear
 *
 * Pure function of the recorded entries: unit-testable and deterministic.
 */

export type TimelineKind = "change" | "periodic" | "observed" | "read" | "sampled" | "error" | "command" | "note" | "infra";

export interface TimelineEntry {
  /** Milliseconds since the scenario started (monotonic). */
  readonly t: number;
  readonly device: string;
  /** Attribute name, command name for kind "command", free text for "note" and "infra". */
  readonly attribute: string;
  /**
   * change/periodic: an event received; observed/read/sampled: a value read by the test; error: an error event (or
   * a failed read of a watch); command: a command or write sent (with `error`: its failed reply); note: a remark;
   * infra: an action on the infrastructure (server killed, restarted).
   */
  readonly kind: TimelineKind;
  readonly value?: unknown;
  readonly error?: string;
  /** The synchronous read delivered when a subscription is made (not a pushed event). */
  readonly synchronous?: boolean;
}

export interface TimelineOptions {
  readonly title?: string;
  /** Total width in px (default 920: Allure shows attachments about that wide without scaling them down). */
  readonly width?: number;
  /** Attributes drawn as bands (default running_state and State). */
  readonly bandAttributes?: readonly string[];
  /** Labels of enum values for band attributes given as numbers (default PREPARE, WORK, REST). */
  readonly enumLabels?: Readonly<Record<string, readonly string[]>>;
  /** Period of the test's sampling reads, for the legend. */
  readonly sampleIntervalMs?: number;
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
const ERROR_COLOR = "#c0392b";
const INFRA_COLOR = "#6c3483";
const NOTE_COLOR = "#8e44ad";
const FONT = 11;

function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

function fmt(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}

function f1(n: number): string {
  return n.toFixed(1);
}

/** Approximate width of a sans-serif text (no font metrics in a pure function). */
function textWidth(s: string, size = FONT): number {
  return s.length * size * 0.58;
}

function bandLabel(attr: string, value: unknown, enumLabels: Readonly<Record<string, readonly string[]>>): string {
  if (typeof value === "number") return enumLabels[attr]?.[value] ?? String(value);
  return String(value);
}

function colorFor(label: string, i: number): string {
  return BAND_COLORS[label.toUpperCase()] ?? (PALETTE[i % PALETTE.length] as string);
}

/** The short form of an error text for a label: its DevFailed reason (text before the first ":"). */
function shortReason(error: string | undefined): string {
  const s = (error ?? "error").replace(/^subscription ended: /, "");
  const head = s.split(":")[0]?.trim() ?? s;
  return head.length > 28 ? `${head.slice(0, 27)}…` : head;
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

export interface LabelSpot {
  readonly x: number;
  readonly text: string;
}

/**
 * Greedy placement of labels starting at their x, on up to `lanes` lines, latest first (in a burst of commands the
 * last one, e.g. Start after the set-up writes, is the one worth reading): a label goes on the first line where it
 * ends before the label already placed to its right; labels that fit nowhere get no text (their marker keeps its
 * hover title). Labels running past `maxX` are shifted left, up to their own width.
 */
export function placeLabels<T extends LabelSpot>(spots: readonly T[], lanes: number, maxX: number, size = FONT): (T & { lane: number })[] {
  const starts = new Array<number>(lanes).fill(Number.POSITIVE_INFINITY);
  const out: (T & { lane: number })[] = [];
  for (const s of [...spots].sort((a, b) => b.x - a.x)) {
    const w = textWidth(s.text, size);
    const x = Math.min(s.x, maxX - w);
    const lane = starts.findIndex((st) => x + w + 4 <= st);
    if (lane < 0 || x < s.x - w) continue;
    starts[lane] = x;
    out.push({ ...s, x, lane });
  }
  return out.sort((a, b) => a.x - b.x);
}

/** What happened to one band or value row: its points and the spans where the test's reads got no answer. */
interface Row {
  readonly key: string;
  /** Values read by the test (sampled, observed, read, synchronous read of a subscription). */
  readonly reads: { t: number; value: unknown; kind: TimelineKind; synchronous: boolean }[];
  /** Events received. */
  readonly events: { t: number; value: unknown; kind: TimelineKind }[];
  readonly errorEvents: { t: number; error: string }[];
  /** Failed sampling reads: a gap from t until the next successful read. */
  readonly readFailures: { t: number; error: string }[];
}

function newRow(key: string): Row {
  return { key, reads: [], events: [], errorEvents: [], readFailures: [] };
}

export function timelineSvg(entries: readonly TimelineEntry[], opts: TimelineOptions = {}): string {
  const width = opts.width ?? 920;
  const bandAttrs = new Set((opts.bandAttributes ?? ["running_state", "State"]).map((a) => a.toLowerCase()));
  const enumLabels = opts.enumLabels ?? { running_state: ["PREPARE", "WORK", "REST"] };
  const sorted = [...entries].sort((a, b) => a.t - b.t);
  const end = Math.max(1, ...sorted.map((e) => e.t)) * 1.02;
  const left = 170;
  const right = 16;
  const plotW = width - left - right;
  const x = (t: number): number => left + (t / end) * plotW;
  const legend = new Set<string>();

  // Group rows.
  const bands = new Map<string, Row>();
  const series = new Map<string, Row>();
  const commands: TimelineEntry[] = [];
  const notes: TimelineEntry[] = [];
  const infra: TimelineEntry[] = [];
  const rowOf = (e: TimelineEntry): Row | undefined => {
    const key = `${e.device} ${e.attribute}`;
    const isBand = bandAttrs.has(e.attribute.toLowerCase());
    const map = isBand ? bands : series;
    let row = map.get(key);
    if (!row) {
      // A value row appears only once it has a number, an error event or a failed read to show.
      if (!isBand && e.kind !== "error" && e.error === undefined && numeric(e.value) === undefined) return undefined;
      row = newRow(key);
      map.set(key, row);
    }
    return row;
  };
  for (const e of sorted) {
    if (e.kind === "command") {
      commands.push(e);
      continue;
    }
    if (e.kind === "note") {
      notes.push(e);
      continue;
    }
    if (e.kind === "infra") {
      infra.push(e);
      continue;
    }
    const row = rowOf(e);
    if (!row) continue;
    if (e.kind === "error") row.errorEvents.push({ t: e.t, error: e.error ?? "error" });
    else if (e.error !== undefined) row.readFailures.push({ t: e.t, error: e.error });
    else if ((e.kind === "change" || e.kind === "periodic") && e.synchronous !== true)
      row.events.push({ t: e.t, value: e.value, kind: e.kind });
    else row.reads.push({ t: e.t, value: e.value, kind: e.kind, synchronous: e.synchronous === true });
  }

  const parts: string[] = [];
  let y = 10;
  const title = opts.title ?? "Scenario timeline";
  parts.push(`<text x="10" y="${y + 14}" font-size="15" font-weight="bold">${esc(title)}</text>`);
  y += 28;
  const plotTop = y;

  const rowLabel = (label: string, yy: number, h: number, range?: string): void => {
    const cut = label.lastIndexOf(" ");
    const [dev, attr] = [label.slice(0, cut), label.slice(cut + 1)];
    const rangeText =
      range === undefined ? "" : `<tspan class="range" font-weight="normal" fill="#666" font-size="9"> ${esc(range)}</tspan>`;
    parts.push(
      `<text x="${left - 8}" y="${yy + h / 2 - 2}" font-size="${FONT}" text-anchor="end">${esc(dev)}</text>`,
      `<text x="${left - 8}" y="${yy + h / 2 + 11}" font-size="${FONT}" text-anchor="end" font-weight="bold">${esc(attr)}${rangeText}</text>`,
    );
  };

  /** Hatched "no answer" spans of a row: from each failed read to the next successful read (or the end). */
  const gaps = (row: Row): { from: number; to: number; error: string }[] => {
    const out: { from: number; to: number; error: string }[] = [];
    for (const f of row.readFailures) {
      const last = out[out.length - 1];
      if (last && f.t <= last.to) continue;
      const next = row.reads.find((r) => r.t > f.t);
      out.push({ from: f.t, to: next?.t ?? end, error: f.error });
    }
    return out;
  };
  const drawGaps = (row: Row, yy: number, h: number): void => {
    for (const g of gaps(row)) {
      legend.add("gap");
      parts.push(
        `<rect class="no-reply" x="${f1(x(g.from))}" y="${yy}" width="${f1(Math.max(2, x(g.to) - x(g.from)))}" height="${h}" fill="url(#hatch)"><title>${esc(`no reply to the test's reads from ${fmt(g.from)} to ${fmt(g.to)} ms: ${g.error}`)}</title></rect>`,
      );
    }
  };
  const drawErrorEvents = (row: Row, yy: number, h: number): void => {
    const spots: LabelSpot[] = [];
    for (const e of row.errorEvents) {
      legend.add("error");
      parts.push(cross(x(e.t), yy + h / 2, `error event on ${row.key} at ${fmt(e.t)} ms: ${e.error}`));
      const text = shortReason(e.error);
      const room = x(e.t) + 8 + textWidth(text, 10) <= left + plotW;
      spots.push({ x: room ? x(e.t) + 8 : x(e.t) - 8 - textWidth(text, 10), text });
    }
    for (const l of placeLabels(spots, 1, left + plotW, 10)) {
      parts.push(
        `<text class="error-label" x="${f1(l.x)}" y="${yy + h / 2 + 4}" font-size="10" fill="${ERROR_COLOR}">${esc(l.text)}</text>`,
      );
    }
  };

  // Infrastructure lane: labels on top; the dashed lines are drawn across all rows at the end.
  if (infra.length > 0) {
    // A label starts just right of its line, or ends just left of it when there is no room on the right.
    const placed = placeLabels(
      infra.map((e) => {
        const w = textWidth(e.attribute);
        return { x: x(e.t) + 3 + w <= left + plotW ? x(e.t) + 3 : x(e.t) - 3 - w, text: e.attribute };
      }),
      3,
      left + plotW,
    );
    const lanes = Math.max(1, ...placed.map((p) => p.lane + 1));
    parts.push(`<text x="${left - 8}" y="${y + 12}" font-size="${FONT}" text-anchor="end" font-weight="bold">infrastructure</text>`);
    for (const p of placed) {
      parts.push(
        `<text class="infra-label" x="${f1(p.x)}" y="${y + 12 + p.lane * 13}" font-size="${FONT}" fill="${INFRA_COLOR}">${esc(p.text)}</text>`,
      );
    }
    y += lanes * 13 + 6;
    legend.add("infra");
  }

  // Phase bands: observed by fast reads or events when there are any, else sampled.
  let bandIdx = 0;
  for (const [key, row] of bands) {
    const h = 26;
    rowLabel(key, y, h);
    const precise = row.reads.filter((r) => r.kind !== "sampled");
    const source = precise.length > 0 || row.events.length > 0 ? [...precise, ...row.events].sort((a, b) => a.t - b.t) : row.reads;
    const sampled = source.length > 0 && source.every((r) => r.kind === "sampled");
    const points = source.map((r) => ({ t: r.t, label: bandLabel(row.key.slice(row.key.lastIndexOf(" ") + 1), r.value, enumLabels) }));
    const gapList = sampled ? gaps(row) : [];
    for (const s of segments(points, end)) {
      // A sampled band stops where the reads failed.
      const stop = gapList.find((g) => g.from > s.from && g.from < s.to)?.from ?? s.to;
      const w = Math.max(1, x(stop) - x(s.from));
      const color = colorFor(s.label, bandIdx);
      parts.push(
        `<rect class="phase" data-phase="${esc(s.label)}" x="${f1(x(s.from))}" y="${y}" width="${f1(w)}" height="${h}" fill="${color}" opacity="0.85"><title>${esc(`${s.label}: ${fmt(s.from)}–${fmt(stop)} ms (${fmt(stop - s.from)} ms)${sampled ? ", sampled" : ""}`)}</title></rect>`,
      );
      if (w > textWidth(s.label) + 8)
        parts.push(`<text x="${f1(x(s.from) + 4)}" y="${y + 17}" font-size="${FONT}" fill="#fff">${esc(s.label)}</text>`);
    }
    if (sampled) {
      drawGaps(row, y, h);
      legend.add("sampled-band");
    }
    drawErrorEvents(row, y, h);
    y += h + 6;
    bandIdx++;
  }

  // Value rows.
  let sIdx = 0;
  for (const [key, row] of series) {
    const h = 46;
    const color = PALETTE[sIdx % PALETTE.length] as string;
    parts.push(`<rect x="${left}" y="${y}" width="${plotW}" height="${h}" fill="#f7f9fb" stroke="#e1e5ea"/>`);
    const reads = row.reads.flatMap((r) => {
      const v = numeric(r.value);
      return v === undefined ? [] : [{ ...r, v }];
    });
    const events = row.events.flatMap((r) => {
      const v = numeric(r.value);
      return v === undefined ? [] : [{ ...r, v }];
    });
    const vs = [...reads, ...events].map((p) => p.v);
    const lo = Math.min(...vs);
    const hi = Math.max(...vs);
    rowLabel(key, y, h, vs.length > 0 ? (lo === hi ? `= ${fmt(lo)}` : `${fmt(lo)}…${fmt(hi)}`) : undefined);
    if (vs.length > 0) {
      const yv = (v: number): number => (hi === lo ? y + h / 2 : y + h - 7 - ((v - lo) / (hi - lo)) * (h - 14));
      // Solid only when the test really sampled; otherwise the value is known from events (and the read made when
      // subscribing), drawn dashed.
      const sampledReads = reads.filter((r) => !r.synchronous);
      const isSampled = sampledReads.length > 0;
      const line = isSampled ? sampledReads : [...reads, ...events].sort((a, b) => a.t - b.t);
      const stops = isSampled ? gaps(row).map((g) => g.from) : [];
      let d = "";
      let open = false;
      line.forEach((p, i) => {
        const px = f1(x(p.t));
        const py = f1(yv(p.v));
        const stop = stops.find((s) => s < p.t && (i === 0 || s > (line[i - 1]?.t ?? 0)));
        if (open && stop !== undefined) {
          d += `H${f1(x(stop))}`;
          open = false;
        }
        if (!open) d += `M${px},${py}`;
        else d += `H${px}V${py}`;
        open = true;
      });
      const lastT = line[line.length - 1]?.t ?? 0;
      const tail = stops.find((s) => s > lastT);
      if (open) d += `H${f1(x(tail ?? end))}`;
      if (isSampled) {
        legend.add("sampled");
        parts.push(`<path class="sampled" d="${d}" fill="none" stroke="${color}" stroke-width="1.6"/>`);
      } else {
        legend.add("events-only");
        parts.push(`<path class="events-only" d="${d}" fill="none" stroke="${color}" stroke-width="1.2" stroke-dasharray="4 3"/>`);
      }
      for (const p of reads.filter((r) => r.synchronous)) {
        legend.add("subscription-read");
        parts.push(
          `<circle class="subscription-read" cx="${f1(x(p.t))}" cy="${f1(yv(p.v))}" r="3.5" fill="#fff" stroke="${color}" stroke-width="1.5"><title>${esc(`${key} = ${fmt(p.v)}: read when subscribing, at ${fmt(p.t)} ms`)}</title></circle>`,
        );
      }
      for (const p of events) {
        legend.add("event");
        parts.push(
          `<circle class="event" cx="${f1(x(p.t))}" cy="${f1(yv(p.v))}" r="4.5" fill="${color}" stroke="#222" stroke-width="1.5"><title>${esc(`${key} = ${fmt(p.v)} (${p.kind}) event received at ${fmt(p.t)} ms`)}</title></circle>`,
        );
      }
    }
    drawGaps(row, y, h);
    drawErrorEvents(row, y, h);
    y += h + 6;
    sIdx++;
  }

  // Commands, failed replies and notes.
  if (commands.length > 0 || notes.length > 0) {
    const h = 22;
    const mid = y + h / 2;
    parts.push(`<text x="${left - 8}" y="${mid + 4}" font-size="${FONT}" text-anchor="end" font-weight="bold">commands</text>`);
    parts.push(`<line x1="${left}" y1="${mid}" x2="${left + plotW}" y2="${mid}" stroke="#ccc"/>`);
    const spots: (LabelSpot & { color: string })[] = [];
    for (const c of commands) {
      const what = `${c.attribute}${c.value === undefined ? "" : ` ${String(c.value)}`}`;
      if (c.error !== undefined) {
        legend.add("failed");
        parts.push(cross(x(c.t), mid, `${what} on ${c.device} failed at ${fmt(c.t)} ms: ${c.error}`, "failed"));
        spots.push({ x: x(c.t) + 7, text: `✗ ${shortReason(c.error)}`, color: ERROR_COLOR });
        continue;
      }
      legend.add("command");
      parts.push(
        `<line class="command" x1="${f1(x(c.t))}" y1="${y + 2}" x2="${f1(x(c.t))}" y2="${y + h - 2}" stroke="#333" stroke-width="1.5"><title>${esc(`${c.device} ${c.attribute}${c.value === undefined ? "" : `(${String(c.value)})`} at ${fmt(c.t)} ms`)}</title></line>`,
      );
      spots.push({ x: x(c.t) + 3, text: what, color: "#333" });
    }
    for (const n of notes) {
      legend.add("note");
      const nx = x(n.t);
      parts.push(
        `<polygon class="note" points="${f1(nx)},${mid - 7} ${f1(nx + 5)},${mid} ${f1(nx)},${mid + 7} ${f1(nx - 5)},${mid}" fill="${NOTE_COLOR}"><title>${esc(`${n.attribute} at ${fmt(n.t)} ms`)}</title></polygon>`,
      );
      spots.push({ x: nx + 7, text: n.attribute, color: NOTE_COLOR });
    }
    y += h;
    const placed = placeLabels(spots, 3, left + plotW, 10);
    for (const l of placed) {
      parts.push(
        `<text class="command-label" x="${f1(l.x)}" y="${y + 9 + l.lane * 12}" font-size="10" fill="${l.color}">${esc(l.text)}</text>`,
      );
    }
    y += placed.length > 0 ? Math.max(...placed.map((p) => p.lane + 1)) * 12 + 4 : 4;
  }
  const plotBottom = y;

  // Time axis.
  const step = niceStep(end);
  parts.push(`<line x1="${left}" y1="${y}" x2="${left + plotW}" y2="${y}" stroke="#333"/>`);
  for (let i = 0; i * step <= end; i++) {
    const t = i * step;
    parts.push(`<line x1="${f1(x(t))}" y1="${y}" x2="${f1(x(t))}" y2="${y + 5}" stroke="#333"/>`);
    parts.push(`<text x="${f1(x(t))}" y="${y + 17}" font-size="10" text-anchor="middle">${axisLabel(t, step)}</text>`);
  }
  y += 26;

  // Infrastructure actions across every row.
  for (const e of infra) {
    parts.push(
      `<line class="infra" x1="${f1(x(e.t))}" y1="${plotTop}" x2="${f1(x(e.t))}" y2="${plotBottom}" stroke="${INFRA_COLOR}" stroke-width="1.5" stroke-dasharray="5 3"><title>${esc(`${e.attribute} at ${fmt(e.t)} ms`)}</title></line>`,
    );
  }

  if (sorted.length === 0) {
    parts.push(`<text x="${left}" y="${y}" font-size="12">no events were recorded</text>`);
    y += 10;
  } else {
    y = drawLegend(parts, legend, y, width, opts.sampleIntervalMs);
  }
  const height = y + 8;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">`,
    `<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#eee"/><line x1="0" y1="0" x2="0" y2="6" stroke="#999" stroke-width="2"/></pattern></defs>`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    ...parts,
    "</svg>",
    "",
  ].join("\n");
}

/** The legend: one entry per kind of mark present, wrapped to the width. */
function drawLegend(
  parts: string[],
  present: ReadonlySet<string>,
  top: number,
  width: number,
  sampleIntervalMs: number | undefined,
): number {
  const every = sampleIntervalMs === undefined ? "" : ` every ${fmt(sampleIntervalMs)} ms`;
  const items: { key: string; text: string; mark: (x: number, y: number) => string }[] = [
    {
      key: "sampled",
      text: `value read by the test${every}`,
      mark: (x, y) => `<path d="M${x},${y + 3}H${x + 9}V${y - 3}H${x + 18}" fill="none" stroke="#1f77b4" stroke-width="1.6"/>`,
    },
    {
      key: "events-only",
      text: "value known only from events",
      mark: (x, y) => `<path d="M${x},${y}H${x + 18}" stroke="#1f77b4" stroke-width="1.2" stroke-dasharray="4 3"/>`,
    },
    {
      key: "event",
      text: "change event received",
      mark: (x, y) => `<circle cx="${x + 9}" cy="${y}" r="4.5" fill="#1f77b4" stroke="#222" stroke-width="1.5"/>`,
    },
    {
      key: "subscription-read",
      text: "read when subscribing",
      mark: (x, y) => `<circle cx="${x + 9}" cy="${y}" r="3.5" fill="#fff" stroke="#1f77b4" stroke-width="1.5"/>`,
    },
    { key: "error", text: "error event", mark: (x, y) => crossPath(x + 9, y) },
    {
      key: "gap",
      text: "device did not answer the test's reads",
      mark: (x, y) => `<rect x="${x}" y="${y - 6}" width="18" height="12" fill="url(#hatch)"/>`,
    },
    {
      key: "sampled-band",
      text: `phase/state read by the test${every}`,
      mark: (x, y) => `<rect x="${x}" y="${y - 6}" width="18" height="12" fill="${BAND_COLORS.WORK}" opacity="0.85"/>`,
    },
    {
      key: "command",
      text: "command / write sent",
      mark: (x, y) => `<line x1="${x + 9}" y1="${y - 7}" x2="${x + 9}" y2="${y + 7}" stroke="#333" stroke-width="1.5"/>`,
    },
    { key: "failed", text: "command failed", mark: (x, y) => crossPath(x + 9, y) },
    {
      key: "note",
      text: "note",
      mark: (x, y) => `<polygon points="${x + 9},${y - 7} ${x + 14},${y} ${x + 9},${y + 7} ${x + 4},${y}" fill="${NOTE_COLOR}"/>`,
    },
    {
      key: "infra",
      text: "infrastructure action",
      mark: (x, y) =>
        `<line x1="${x + 9}" y1="${y - 7}" x2="${x + 9}" y2="${y + 7}" stroke="${INFRA_COLOR}" stroke-width="1.5" stroke-dasharray="5 3"/>`,
    },
  ];
  const shown = items.filter((i) => present.has(i.key));
  if (shown.length === 0) return top;
  const out: string[] = [];
  let x = 10;
  let y = top + 6;
  for (const item of shown) {
    const w = 24 + textWidth(item.text, 10) + 16;
    if (x + w > width - 10) {
      x = 10;
      y += 18;
    }
    out.push(
      `<g class="legend-item" data-legend="${item.key}">${item.mark(x, y)}<text x="${x + 24}" y="${y + 4}" font-size="10">${esc(item.text)}</text></g>`,
    );
    x += w;
  }
  parts.push(`<g class="legend">`, ...out, `</g>`);
  return y + 12;
}

function crossPath(cx: number, cy: number): string {
  const s = 5;
  return `<path d="M${cx - s},${cy - s}L${cx + s},${cy + s}M${cx - s},${cy + s}L${cx + s},${cy - s}" stroke="${ERROR_COLOR}" stroke-width="2.5"/>`;
}

function cross(cx: number, cy: number, title: string, cls = "error"): string {
  const s = 5;
  return `<path class="${cls}" d="M${f1(cx - s)},${f1(cy - s)}L${f1(cx + s)},${f1(cy + s)}M${f1(cx - s)},${f1(cy + s)}L${f1(cx + s)},${f1(cy - s)}" stroke="${ERROR_COLOR}" stroke-width="2.5"><title>${esc(title)}</title></path>`;
}

/** "250 ms" below a 1 s step, else seconds with as many decimals as the step needs. */
export function axisLabel(t: number, step: number): string {
  if (step < 1000) return `${Math.round(t)} ms`;
  const decimals = Number.isInteger(step / 1000) ? 0 : 1;
  return `${(t / 1000).toFixed(decimals)} s`;
}

function niceStep(endMs: number): number {
  const raw = endMs / 10;
  const pow = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (raw <= m * pow) return m * pow;
  return 10 * pow;
}
