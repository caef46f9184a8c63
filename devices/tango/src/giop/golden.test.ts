/**
 * Golden-vector tests: every GIOP message captured from the reference stack (cppTango 9.3.4 DataBaseds + TangoTest,
 * PyTango 9.3.6 PyRef and clients, omniORB 4.2.5) decodes (header, request/reply header, body by operation), agrees
 * with the capture tool's header decoding, tshark's Tango dissection and PyTango's results, re-encodes to the same
 * bytes modulo padding, and gives the same frames when fed one byte at a time or in random splits.
 * Source: $TANGO_REFERENCE_DIR or ../shared/tango-reference; without it, the `*.golden.hex` copies in the repo.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseIor } from "../corba/ior.ts";
import type { AnyValue } from "../corba/typecode.ts";
import type { CommandInoutArgs, UserExceptionBody, WriteAttributes4Args } from "../idl/operations.ts";
import type { AttributeValue5, DevInfo } from "../idl/structs.ts";
import {
  compareModuloPadding,
  type DecodedGolden,
  decodeCapture,
  directionStreams,
  findReferenceDir,
  findRepoGoldenFiles,
  type GoldenMessage,
  type GoldenScenario,
  loadRepoGolden,
  loadScenario,
  prng,
  reencode,
  SCENARIOS,
} from "../testing/golden.ts";
import { compareFields, ourFields, tsharkFields } from "../testing/tshark-fields.ts";
import { decodeMessage, FrameAssembler } from "./giop.ts";

const refDir = findReferenceDir(process.env);
// The committed copies always run; the full captures run whenever the shared reference is present.
const repoCopies: GoldenScenario = { name: "repo-copies", clientSteps: [], messages: findRepoGoldenFiles().map(loadRepoGolden) };
const scenarios: GoldenScenario[] = [...(refDir ? SCENARIOS.map((s) => loadScenario(refDir, s)) : []), repoCopies];
const decoded = new Map<string, DecodedGolden[]>(scenarios.map((s) => [s.name, decodeCapture(s.messages)]));

function byFile(scenario: string, prefix: string): DecodedGolden {
  const d = decoded.get(scenario)?.find((x) => x.source.file.startsWith(prefix));
  assert.ok(d, `${scenario}: no decoded message ${prefix}`);
  return d;
}

describe("golden vectors: every captured GIOP message decodes", () => {
  test("the vectors are found (shared reference or repo copies)", () => {
    const total = scenarios.reduce((n, s) => n + (s === repoCopies ? 0 : s.messages.length), 0);
    if (refDir) assert.equal(total, 276, "276 captured GIOP messages (275 after reassembling basics-036 + basics-037)");
    assert.ok(repoCopies.messages.length >= 20, "repo copies present");
    // Copies of the shared reference vectors, or our own captures from the reference stack (capture-pipes.sh).
    for (const m of repoCopies.messages)
      assert.match(m.origin ?? "", /^(tango-reference vectors |client\/fixtures\/capture-pipes\.sh, )/, `${m.file}: origin header`);
  });

  for (const s of scenarios) {
    test(`${s.name}: header, request/reply header and body by operation, consumed exactly`, () => {
      const list = decoded.get(s.name) ?? [];
      assert.equal(
        list.reduce((n, d) => n + d.parts.length, 0),
        s.messages.length,
        "every captured message is part of a decoded frame",
      );
      for (const d of list) {
        const g = d.parts[0]?.giop;
        const m = d.message;
        if (m.type === "Request" || m.type === "Reply") {
          assert.ok(d.operation, `${d.source.file}: operation known`);
          assert.notEqual(d.body.kind, "raw", `${d.source.file}: body of ${d.operation} decoded by a codec`);
        }
        if (!g) continue;
        // Cross-check with tools/giop_split.py's own header decoding.
        assert.equal(`${m.header.major}.${m.header.minor}`, g.giop_version, d.source.file);
        assert.equal(m.header.littleEndian, g.little_endian, d.source.file);
        assert.equal(m.type, g.type, d.source.file);
        if (m.type === "Request" || m.type === "Reply") {
          assert.equal(m.requestId, g.request_id, d.source.file);
          assert.equal(d.operation, g.operation, d.source.file);
          if (d.parts.length === 1) assert.equal(m.header.size, g.body_size, d.source.file);
        }
        if (m.type === "Request") {
          assert.equal(Buffer.from(m.objectKey).toString("hex"), g.object_key, d.source.file);
          assert.equal(m.responseExpected, (g.response_expected ?? g.response_flags ?? 0) !== 0, d.source.file);
          if (g.target_disposition !== undefined) assert.equal(m.target.kind, "key", d.source.file);
        }
        if ((m.type === "Request" || m.type === "Reply") && g.service_contexts) {
          const ours = m.serviceContexts.map((c) => ({ id: c.id, hex: Buffer.from(c.data).toString("hex") }));
          const theirs = g.service_contexts.map((c) => ({ id: Number(c.context_id), hex: c.hex }));
          assert.deepEqual(ours, theirs, d.source.file);
        }
        if (d.parts.length === 1 && (m.type === "Request" || m.type === "Reply")) {
          const again = decodeMessage(d.frame);
          assert.ok(again.type === "Request" || again.type === "Reply");
          assert.equal(again.body.pos, g.body_offset, `${d.source.file}: body offset`);
        }
        if (m.type === "Reply") assert.equal(m.status, g.reply_status, d.source.file);
      }
    });

    if (s === repoCopies) continue;
    test(`${s.name}: decoded values agree with tshark's Tango dissection`, () => {
      let compared = 0;
      for (const d of decoded.get(s.name) ?? []) {
        // tshark dissected the fragmented reply from its first part only (and flags it malformed).
        const first = d.parts[0] as GoldenMessage;
        const r = compareFields(ourFields(d.operation, d.body), tsharkFields(first.tshark), d.parts.length > 1);
        assert.deepEqual(r.mismatches, [], `${d.source.file} (${d.operation})`);
        compared += r.compared;
      }
      if (s.messages.some((m) => m.tshark.includes("Tango Dissector Using GIOP API"))) assert.ok(compared > 0);
    });
  }
});

describe("golden vectors: re-encoding", () => {
  test("re-encoding every decoded message gives the captured bytes modulo padding (exactly where the padding is zero)", (t) => {
    let exact = 0;
    let total = 0;
    let garbage = 0;
    for (const [name, list] of decoded) {
      for (const d of list) {
        if (name === repoCopies.name) continue;
        const e00 = reencode(d.message, d.body, d.operation, 0x00);
        const eff = reencode(d.message, d.body, d.operation, 0xff);
        assert.ok(e00 && eff, `${d.source.file}: encodable`);
        const c = compareModuloPadding(d.frame, e00, eff);
        assert.ok(c.equalModuloPadding, `${d.source.file}: differs at non-padding offset ${c.firstDifference}`);
        if (c.nonZeroPadding === 0) assert.deepEqual(e00, d.frame, `${d.source.file}: zero padding, so exact equality`);
        total++;
        if (c.exact) exact++;
        garbage += c.nonZeroPadding;
      }
    }
    t.diagnostic(`${total} messages re-encoded: ${exact} byte-identical, the others differ only in ${garbage} non-zero padding bytes`);
    if (refDir) assert.equal(total, 275);
  });

  test("the repo copies re-encode the same way", () => {
    for (const d of decoded.get(repoCopies.name) ?? []) {
      const c = compareModuloPadding(
        d.frame,
        reencode(d.message, d.body, d.operation, 0) ?? Buffer.alloc(0),
        reencode(d.message, d.body, d.operation, 0xff) ?? Buffer.alloc(0),
      );
      assert.ok(c.equalModuloPadding, d.source.file);
    }
  });
});

describe("golden vectors: stream assembly", () => {
  const streams = new Map<string, Buffer[]>();
  for (const s of scenarios) for (const [k, v] of directionStreams(s.messages)) streams.set(`${s.name}:${k}`, v);
  const whole = (parts: Buffer[]): Buffer[] => {
    const a = new FrameAssembler();
    return parts.flatMap((p) => a.push(p));
  };

  test("one byte at a time gives the same frames", () => {
    for (const [key, parts] of streams) {
      const expected = whole(parts);
      const a = new FrameAssembler();
      const got: Buffer[] = [];
      const all = Buffer.concat(parts);
      for (let i = 0; i < all.length; i++) got.push(...a.push(all.subarray(i, i + 1)));
      assert.deepEqual(got, expected, key);
      assert.equal(a.pendingBytes, 0, key);
    }
  });

  test("random splits (seeded) give the same frames", () => {
    const rnd = prng(20240611);
    for (const [key, parts] of streams) {
      const expected = whole(parts);
      const all = Buffer.concat(parts);
      for (let round = 0; round < 5; round++) {
        const a = new FrameAssembler();
        const got: Buffer[] = [];
        let i = 0;
        while (i < all.length) {
          const n = 1 + Math.floor(rnd() * (rnd() < 0.5 ? 16 : 3000));
          got.push(...a.push(all.subarray(i, i + n)));
          i += n;
        }
        assert.deepEqual(got, expected, `${key} round ${round}`);
      }
    }
  });

  test("the fragmented reply basics-036 + basics-037 reassembles into one reply", () => {
    const scenario = refDir ? "basics" : repoCopies.name;
    const d = byFile(scenario, "basics-037");
    assert.equal(d.parts.length, 2);
    const [first, frag] = d.parts as [GoldenMessage, GoldenMessage];
    assert.equal(first.bytes[6]! & 2, 2, "first part has the more-fragments flag");
    assert.equal(first.bytes.length, 8192);
    assert.equal(d.frame.length, first.bytes.length + frag.bytes.length - 16);
    assert.equal(d.message.header.moreFragments, false);
    assert.deepEqual(d.frame.subarray(12, 8192), first.bytes.subarray(12));
    assert.deepEqual(d.frame.subarray(8192), frag.bytes.subarray(16));
    assert.equal(d.operation, "get_attribute_config_2");
    const configs = (d.body.kind === "result" ? d.body.value : []) as { name: string }[];
    assert.equal(configs.length, 62);
    assert.equal(configs[0]?.name, "ampli");
  });
});

describe("golden vectors: values match what PyTango got (client_steps)", () => {
  const scenario = (name: string): string => (refDir ? name : repoCopies.name);

  test("DbImportDevice reply: DevVarLongStringArray with the device's IOR (basics-010)", () => {
    const d = byFile(scenario("basics"), "basics-010");
    assert.equal(d.body.kind, "result");
    const any = (d.body.kind === "result" ? d.body.value : undefined) as AnyValue;
    assert.equal(any.type.kind, "struct");
    const v = any.value as { lvalue: number[]; svalue: string[] };
    assert.equal(v.svalue[0], "sys/tg_test/1");
    assert.match(v.svalue[1] ?? "", /^IOR:/);
    assert.equal(v.svalue[3], "TangoTest/test", "server name");
    assert.equal(v.svalue[5], "TangoTest", "class");
    const ior = parseIor(v.svalue[1] ?? "");
    assert.equal(ior.typeId, "IDL:Tango/Device_5:1.0");
    const req = d.parts[0]?.file.startsWith("basics-010") ? byFile(scenario("basics"), "basics-009") : undefined;
    const args = req?.body.kind === "args" ? (req.body.value as CommandInoutArgs) : undefined;
    assert.equal(args?.command, "DbImportDevice");
    assert.equal(args?.argin.value, "sys/tg_test/1");
    assert.deepEqual(args?.client?.lang, "CPP");
  });

  test("read_attribute(double_scalar): value, quality and time (read-018)", () => {
    const d = byFile(scenario("read"), "read-018");
    const [a] = (d.body.kind === "result" ? d.body.value : []) as AttributeValue5[];
    assert.ok(a);
    assert.equal(a.name, "double_scalar");
    assert.equal(a.value.d, 5);
    assert.equal((a.value.v as number[])[0], 40.04718950252659);
    assert.equal(a.quality, 0);
    assert.equal(a.time.sec, 1795540582);
    assert.equal(a.time.usec, 727238);
  });

  test("errors: API_AttrNotFound, API_CommandNotFound, API_WAttrOutsideLimit, DB_DeviceNotDefined", () => {
    const attr = byFile(scenario("errors"), "errors-018");
    const [a] = (attr.body.kind === "result" ? attr.body.value : []) as AttributeValue5[];
    assert.equal(a?.value.d, 14, "ATT_NO_DATA");
    assert.equal(a?.quality, 1, "ATTR_INVALID");
    assert.equal(a?.errors[0]?.reason, "API_AttrNotFound");

    const user = (prefix: string, sc = "errors"): UserExceptionBody => {
      const d = byFile(scenario(sc), prefix);
      assert.equal(d.message.type === "Reply" && d.message.status, "USER_EXCEPTION", prefix);
      assert.equal(d.body.kind, "user");
      return (d.body as { value: UserExceptionBody }).value;
    };
    const cmd = user("errors-020");
    assert.equal(cmd.kind, "DevFailed");
    assert.equal(cmd.kind === "DevFailed" && cmd.errors[0]?.reason, "API_CommandNotFound");
    assert.equal(cmd.kind === "DevFailed" && cmd.errors[0]?.desc, "Command NoSuchCommand not found");
    const mdf = user("errors-032");
    assert.equal(mdf.kind, "MultiDevFailed");
    if (mdf.kind === "MultiDevFailed") {
      assert.equal(mdf.namedErrors[0]?.name, "counter");
      assert.equal(mdf.namedErrors[0]?.errors[0]?.reason, "API_WAttrOutsideLimit");
      assert.equal(mdf.namedErrors[0]?.errors[0]?.origin, "WAttribute::check_written_value()");
    }
    const db = user("errors-034");
    assert.equal(db.kind === "DevFailed" && db.errors[0]?.reason, "DB_DeviceNotDefined");
    assert.equal(db.kind === "DevFailed" && db.errors[0]?.desc, "device no/such/device not defined in the database !");
  });

  if (!refDir) return;

  /** The decoded frames of one client step. */
  const stepFrames = (s: GoldenScenario, step: string): DecodedGolden[] =>
    (decoded.get(s.name) ?? []).filter((d) => d.parts.some((p) => p.clientStep === step));
  const lastResult = (frames: DecodedGolden[], op: string): unknown => {
    const d = frames.filter((x) => x.message.type === "Reply" && x.operation === op && x.body.kind === "result").at(-1);
    return d?.body.kind === "result" ? d.body.value : undefined;
  };

  test("every client step's result or error is in the decoded replies", (t) => {
    let checked = 0;
    for (const s of scenarios) {
      for (const step of s.clientSteps) {
        const frames = stepFrames(s, step.step);
        const call = step.call ?? "";
        if (step.error) {
          const top = step.error[0];
          const reasons = frames.flatMap((d) => {
            if (d.body.kind === "user" && d.body.value.kind === "DevFailed") return d.body.value.errors.map((e) => e.reason);
            if (d.body.kind === "user" && d.body.value.kind === "MultiDevFailed")
              return d.body.value.namedErrors.flatMap((n) => n.errors.map((e) => e.reason));
            if (d.body.kind === "result" && d.operation === "read_attributes_5")
              return (d.body.value as AttributeValue5[]).flatMap((a) => a.errors.map((e) => e.reason));
            return [];
          });
          assert.ok(top && reasons.includes(top.reason), `${s.name} ${step.step}: ${top?.reason} in ${reasons.join(",")}`);
          checked++;
        } else if (call.startsWith("read_attribute(")) {
          const res = step.result as { name: string; value: unknown; quality: string };
          const [a] = lastResult(frames, "read_attributes_5") as AttributeValue5[];
          assert.ok(a, step.step);
          assert.equal(a.name, res.name);
          const v = a.value.v as unknown[];
          if (Array.isArray(res.value)) assert.deepEqual(v.slice(0, res.value.length), res.value, step.step);
          else assert.equal(v[0], res.value, step.step);
          checked++;
        } else if (call.startsWith("command_inout(")) {
          const any = lastResult(frames, "command_inout_4") as AnyValue;
          // PyTango gives DevVar{Long,Double}StringArray as [numbers, strings].
          const v = any.type.kind === "null" ? null : any.value;
          const value = v !== null && typeof v === "object" && "svalue" in v ? Object.values(v) : v;
          assert.deepEqual(value, step.result, step.step);
          checked++;
        } else if (call.startsWith("write_attribute(")) {
          const req = frames.filter((d) => d.message.type === "Request" && d.operation === "write_attributes_4").at(-1);
          const args = req?.body.kind === "args" ? (req.body.value as WriteAttributes4Args) : undefined;
          const written = args?.values[0]?.value.v as unknown[] | undefined;
          const m = /^write_attribute\('(\w+)', (.*)\)$/.exec(call);
          assert.ok(m && written, step.step);
          assert.equal(args?.values[0]?.name, m[1]);
          assert.deepEqual(written[0], JSON.parse((m[2] as string).replace(/^'(.*)'$/, '"$1"')), step.step);
          checked++;
        } else if (step.step === "state") {
          assert.equal(lastResult(frames, "_get_state"), step.result);
          checked++;
        } else if (step.step === "status") {
          assert.equal(lastResult(frames, "_get_status"), step.result);
          checked++;
        } else if (step.step === "info") {
          const info = lastResult(frames, "info_3") as DevInfo;
          const r = step.result as Record<string, unknown>;
          assert.equal(info.devClass, r.dev_class);
          assert.equal(info.serverId, r.server_id);
          assert.equal(info.serverVersion, r.server_version);
          checked++;
        }
      }
    }
    t.diagnostic(`${checked} client steps checked against the decoded bytes`);
    assert.ok(checked >= 20);
  });
});
