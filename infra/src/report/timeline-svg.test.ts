import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { axisLabel, placeLabels, segments, type TimelineEntry, timelineSvg } from "./timeline-svg.ts";

/** A minimal XML tree: enough to check that the SVG is well-formed and to query it like a DOM. */
interface El {
  readonly name: string;
  readonly attrs: Record<string, string>;
  readonly children: El[];
  text: string;
}

function unescapeXml(s: string): string {
  return s
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, "&");
}

function parseXml(xml: string): El {
  const root: El = { name: "#root", attrs: {}, children: [], text: "" };
  const stack: El[] = [root];
  const re = /<(\/?)([a-zA-Z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>|([^<]+)/gy;
  let m: RegExpExecArray | null;
  let pos = 0;
  while ((m = re.exec(xml)) !== null) {
    pos = re.lastIndex;
    const top = stack[stack.length - 1] as El;
    if (m[5] !== undefined) {
      top.text += unescapeXml(m[5]);
      continue;
    }
    const [, closing, name = "", rawAttrs = "", selfClosing] = m;
    if (closing) {
      assert.equal(top.name, name, `</${name}> closes <${top.name}>`);
      stack.pop();
      continue;
    }
    const attrs = Object.fromEntries(
      [...rawAttrs.matchAll(/([\w:-]+)="([^"]*)"/g)].map((a) => [a[1] as string, unescapeXml(a[2] as string)]),
    );
    const el: El = { name, attrs, children: [], text: "" };
    top.children.push(el);
    if (!selfClosing) stack.push(el);
  }
  assert.equal(pos, xml.length, `unparsable XML at ${pos}: ${xml.slice(pos, pos + 60)}`);
  assert.equal(stack.length, 1, `unclosed <${stack[stack.length - 1]?.name}>`);
  const svg = root.children[0];
  assert.ok(svg && root.children.length === 1, "one root element");
  return svg;
}

function all(el: El, pred: (e: El) => boolean): El[] {
  return [...(pred(el) ? [el] : []), ...el.children.flatMap((c) => all(c, pred))];
}

const byClass = (svg: El, cls: string): El[] => all(svg, (e) => e.attrs.class === cls);
const titleOf = (e: El): string => e.children.find((c) => c.name === "title")?.text ?? "";
const texts = (svg: El, cls?: string): string[] =>
  all(svg, (e) => e.name === "text" && (cls === undefined || e.attrs.class === cls)).map((e) => e.text);

const workout: TimelineEntry[] = [
  { t: 0, device: "test/tabata/1", attribute: "Start", kind: "command" },
  { t: 0, device: "test/tabata/1", attribute: "State", kind: "observed", value: "ON" },
  { t: 0, device: "test/tabata/1", attribute: "running_state", kind: "observed", value: 0 },
  { t: 5, device: "test/counter/prepare", attribute: "value", kind: "change", value: 2 },
  { t: 200, device: "test/counter/prepare", attribute: "value", kind: "change", value: 0 },
  { t: 205, device: "test/tabata/1", attribute: "running_state", kind: "observed", value: 1 },
  { t: 700, device: "test/tabata/1", attribute: "running_state", kind: "observed", value: 2 },
  { t: 1000, device: "test/counter/work", attribute: "value", kind: "error", error: "API_EventTimeout: no heartbeat" },
  { t: 1200, device: "test/tabata/1", attribute: "running_state", kind: "observed", value: 0 },
  { t: 1200, device: "test/tabata/1", attribute: "State", kind: "observed", value: "OFF" },
  { t: 1210, device: "", attribute: "Run on test/asynctabata/1 replied 0", kind: "note" },
];

/** A robustness run as the world records it: sampled counters and phases, events, a kill and a restart. */
const robustness: TimelineEntry[] = [
  { t: 0, device: "test/counter/work", attribute: "value", kind: "sampled", value: 50 },
  { t: 0, device: "test/tabata/1", attribute: "running_state", kind: "sampled", value: 0 },
  { t: 0, device: "test/tabata/1", attribute: "State", kind: "sampled", value: "OFF" },
  { t: 10, device: "test/counter/work", attribute: "value", kind: "change", value: 50, synchronous: true },
  { t: 20, device: "test/tabata/1", attribute: "Start", kind: "command" },
  { t: 40, device: "test/tabata/1", attribute: "State", kind: "sampled", value: "ON" },
  { t: 250, device: "test/tabata/1", attribute: "running_state", kind: "sampled", value: 1 },
  { t: 300, device: "test/counter/work", attribute: "value", kind: "sampled", value: 49 },
  { t: 400, device: "test/counter/work", attribute: "value", kind: "sampled", value: 48 },
  { t: 450, device: "", attribute: "tabata/counters killed", kind: "infra" },
  { t: 460, device: "test/counter/rest", attribute: "increment", kind: "command" },
  { t: 462, device: "test/counter/rest", attribute: "increment", kind: "command", error: "API_CantConnect: connection refused" },
  { t: 470, device: "test/counter/work", attribute: "value", kind: "sampled", error: "API_CantConnect: connection refused" },
  {
    t: 10_400,
    device: "test/counter/work",
    attribute: "value",
    kind: "error",
    error: "API_EventTimeout: Event channel is not responding anymore",
  },
  { t: 10_500, device: "", attribute: "tabata/counters restarting", kind: "infra" },
  { t: 11_000, device: "", attribute: "tabata/counters answers again", kind: "infra" },
  { t: 11_020, device: "test/counter/work", attribute: "value", kind: "sampled", value: 0 },
  { t: 11_100, device: "test/counter/work", attribute: "value", kind: "change", value: 0 },
  { t: 11_150, device: "test/tabata/1", attribute: "Stop", kind: "command" },
  { t: 11_200, device: "test/tabata/1", attribute: "State", kind: "sampled", value: "OFF" },
];

describe("timeline SVG", () => {
  test("segments merge repeated values and close each segment at the next change", () => {
    const s = segments(
      [
        { t: 0, label: "A" },
        { t: 10, label: "A" },
        { t: 20, label: "B" },
        { t: 50, label: "A" },
      ],
      100,
    );
    assert.deepEqual(s, [
      { from: 0, to: 20, label: "A" },
      { from: 20, to: 50, label: "B" },
      { from: 50, to: 100, label: "A" },
    ]);
  });

  test("placeLabels favours the latest label of a burst, uses another lane, and drops what does not fit", () => {
    const placed = placeLabels(
      [
        { x: 0, text: "Init" },
        { x: 5, text: "write work" },
        { x: 10, text: "ResetCounters" },
        { x: 500, text: "Stop" },
      ],
      2,
      1000,
    );
    assert.deepEqual(
      placed.map((p) => [p.text, p.lane]),
      [
        ["write work", 1],
        ["ResetCounters", 0],
        ["Stop", 0],
      ],
    );
  });

  test("draws phase bands with enum labels, value rows, errors, commands and notes", () => {
    const svgText = timelineSvg(workout, { title: "Tabata <workout> & co" });
    assert.match(svgText, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    const svg = parseXml(svgText);
    assert.ok(texts(svg).includes("Tabata <workout> & co"));
    const phases = byClass(svg, "phase").map((e) => e.attrs["data-phase"]);
    assert.deepEqual(phases, ["ON", "OFF", "PREPARE", "WORK", "REST", "PREPARE"]);
    // WORK lasts 495 ms and REST 500 ms: their widths are in that ratio.
    const width = (phase: string): number => Number(byClass(svg, "phase").find((e) => e.attrs["data-phase"] === phase)?.attrs.width);
    assert.ok(Math.abs(width("WORK") / width("REST") - 495 / 500) < 0.01);
    // Only events for the prepare counter: a dashed "known only from events" line, two event markers.
    assert.equal(byClass(svg, "sampled").length, 0);
    assert.equal(byClass(svg, "events-only").length, 1);
    assert.equal(byClass(svg, "event").length, 2);
    assert.match(titleOf(byClass(svg, "event")[1] as El), /test\/counter\/prepare value = 0 \(change\) event received at 200 ms/);
    // The work row exists only for its error event, labelled with the reason.
    assert.ok(texts(svg).includes("test/counter/work"));
    assert.equal(byClass(svg, "error").length, 1);
    assert.deepEqual(texts(svg, "error-label"), ["API_EventTimeout"]);
    assert.equal(byClass(svg, "command").length, 1);
    assert.deepEqual(texts(svg, "command-label"), ["Start", "Run on test/asynctabata/1 replied 0"]);
    assert.match(titleOf(byClass(svg, "note")[0] as El), /replied 0 at 1210 ms/);
  });

  test("robustness: sampled series with a gap, event markers, infrastructure lines, failed command, legend", () => {
    const svg = parseXml(timelineSvg(robustness, { title: "killed and restarted", sampleIntervalMs: 50 }));
    // The phases come from the sampled running_state and State (nothing observed them faster).
    assert.deepEqual(
      byClass(svg, "phase").map((e) => e.attrs["data-phase"]),
      ["PREPARE", "WORK", "OFF", "ON", "OFF"],
    );
    // The counter: a solid sampled step line in two pieces (broken where the reads failed), with a hatched gap.
    const line = byClass(svg, "sampled");
    assert.equal(line.length, 1);
    assert.equal(line[0]?.attrs.d?.match(/M/g)?.length, 2, "the line restarts after the gap");
    const gap = byClass(svg, "no-reply");
    assert.equal(gap.length, 1);
    assert.match(titleOf(gap[0] as El), /no reply to the test's reads from 470 to 11020 ms: API_CantConnect/);
    // Events apart from samples: the subscription's synchronous read is hollow, the pushed event is a ringed dot.
    assert.equal(byClass(svg, "subscription-read").length, 1);
    assert.equal(byClass(svg, "event").length, 1);
    assert.equal(byClass(svg, "error").length, 1);
    assert.match(titleOf(byClass(svg, "error")[0] as El), /Event channel is not responding anymore/);
    // Infrastructure: three dashed lines across the rows, labelled.
    assert.equal(byClass(svg, "infra").length, 3);
    const infraLabels = texts(svg, "infra-label");
    assert.ok(infraLabels.includes("tabata/counters killed"), infraLabels.join("|"));
    assert.ok(infraLabels.some((l) => l.startsWith("tabata/counters")));
    // The increment that failed while the server was down.
    const failed = byClass(svg, "failed");
    assert.equal(failed.length, 1);
    assert.match(titleOf(failed[0] as El), /increment on test\/counter\/rest failed at 462 ms: API_CantConnect/);
    // Legend: exactly the marks that appear, with the sampling period.
    const legend = all(svg, (e) => e.attrs.class === "legend-item").map((e) => e.attrs["data-legend"]);
    assert.deepEqual(legend, ["sampled", "event", "subscription-read", "error", "gap", "sampled-band", "command", "failed", "infra"]);
    const legendTexts = all(svg, (e) => e.attrs.class === "legend").flatMap((g) => texts(g));
    assert.ok(legendTexts.includes("value read by the test every 50 ms"));
    assert.ok(legendTexts.includes("change event received"));
  });

  test("axis labels in ms below a 1 s step, else in seconds", () => {
    assert.equal(axisLabel(40, 20), "40 ms");
    assert.equal(axisLabel(3000, 1000), "3 s");
    assert.equal(axisLabel(5000, 2500), "5.0 s");
  });

  test("a subscription read alone is not sampling: the line stays dashed", () => {
    const svg = parseXml(
      timelineSvg([
        { t: 0, device: "test/counter/rest", attribute: "value", kind: "change", value: 3, synchronous: true },
        { t: 50, device: "test/counter/rest", attribute: "value", kind: "change", value: 0 },
      ]),
    );
    assert.equal(byClass(svg, "sampled").length, 0);
    assert.equal(byClass(svg, "events-only").length, 1);
    assert.equal(byClass(svg, "subscription-read").length, 1);
    assert.equal(byClass(svg, "event").length, 1);
  });

  test("self-contained and sized to its content", () => {
    const small = timelineSvg(workout.slice(0, 1));
    const big = timelineSvg(robustness);
    for (const s of [small, big]) {
      assert.doesNotMatch(s, /<script|<image|href=|@import|url\((?!#)/);
      const svg = parseXml(s);
      assert.equal(svg.attrs.viewBox, `0 0 ${svg.attrs.width} ${svg.attrs.height}`);
      const maxY = Math.max(...all(svg, (e) => e.name === "text").map((e) => Number(e.attrs.y)));
      assert.ok(maxY < Number(svg.attrs.height), "nothing below the bottom");
    }
    assert.ok(Number(parseXml(small).attrs.height) < Number(parseXml(big).attrs.height));
  });

  test("an empty recording still renders and says so", () => {
    const svg = parseXml(timelineSvg([]));
    assert.ok(texts(svg).includes("no events were recorded"));
  });
});
