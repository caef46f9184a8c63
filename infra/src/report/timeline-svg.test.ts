import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { segments, type TimelineEntry, timelineSvg } from "./timeline-svg.ts";

const workout: TimelineEntry[] = [
  { t: 0, device: "test/tabata/1", attribute: "Start", kind: "command" },
  { t: 0, device: "test/tabata/1", attribute: "State", kind: "observed", value: "ON" },
  { t: 0, device: "test/tabata/1", attribute: "running_state", kind: "observed", value: 0 },
  { t: 5, device: "test/counter/prepare", attribute: "value", kind: "change", value: 2 },
  { t: 200, device: "test/counter/prepare", attribute: "value", kind: "change", value: 0 },
  { t: 205, device: "test/tabata/1", attribute: "running_state", kind: "observed", value: 1 },
  { t: 700, device: "test/tabata/1", attribute: "running_state", kind: "observed", value: 2 },
  { t: 1000, device: "test/counter/work", attribute: "value", kind: "error", error: "API_EventTimeout" },
  { t: 1200, device: "test/tabata/1", attribute: "running_state", kind: "observed", value: 0 },
  { t: 1200, device: "test/tabata/1", attribute: "State", kind: "observed", value: "OFF" },
  { t: 1210, device: "", attribute: "server killed", kind: "note" },
];

function count(svg: string, re: RegExp): number {
  return svg.match(re)?.length ?? 0;
}

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

  test("draws phase bands with enum labels, counter series, errors, commands and notes", () => {
    const svg = timelineSvg(workout, { title: "Tabata <workout> & co" });
    assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    assert.match(svg, /<\/svg>\n$/);
    assert.match(svg, /Tabata &lt;workout&gt; &amp; co/);
    const phases = [...svg.matchAll(/data-phase="([A-Z]+)"/g)].map((m) => m[1]);
    assert.deepEqual(phases, ["ON", "OFF", "PREPARE", "WORK", "REST", "PREPARE"]);
    // WORK lasts 495 ms and REST 500 ms: their widths are in that ratio.
    const width = (phase: string): number =>
      Number(svg.match(new RegExp(`data-phase="${phase}" x="[\\d.]+" y="\\d+" width="([\\d.]+)"`))?.[1]);
    assert.ok(Math.abs(width("WORK") / width("REST") - 495 / 500) < 0.01);
    assert.equal(count(svg, /class="series"/g), 1, "only the prepare counter has values; the work row shows just its error");
    assert.match(svg, />test\/counter\/work</);
    assert.equal(count(svg, /class="error"/g), 1);
    assert.equal(count(svg, /class="command"/g), 1);
    assert.match(svg, /server killed at 1210 ms/);
    assert.match(svg, /test\/counter\/prepare value = 0 \(change\) at 200 ms/);
  });

  test("tags are balanced (well-formed enough for browsers and Allure)", () => {
    const svg = timelineSvg(workout);
    const opened = count(svg, /<(rect|text|path|circle|line|polygon|title)[\s>]/g);
    const closed = count(svg, /<\/(rect|text|path|circle|line|polygon|title)>/g) + count(svg, /\/>/g);
    assert.equal(opened, closed);
  });

  test("an empty recording still renders and says so", () => {
    const svg = timelineSvg([]);
    assert.match(svg, /no events were recorded/);
  });
});
