/**
 * Decodes a directory of GIOP messages split from a capture (`giop_split.py` output: one `.hex` per message) with
 * this library's codecs, and prints one line per message: flow, GIOP header, operation, decoded arguments/result.
 * Used to write docs/tango10.md from real Tango 10 traffic:
 *   node --import tsx devices/tango/src/interop10/decode-capture.ts <dir> [split.json]
 * Replies are matched to their request by (connection, request id) through split.json when given.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { decodeMessage } from "../giop/giop.ts";
import { operationCodec, readSystemExceptionBody, readUserException } from "../idl/operations.ts";
import { describeBody, hexOf, readDevInfo6 } from "./wire10.ts";

interface SplitEntry {
  readonly file: string;
  readonly flow: string;
  readonly src_port: number;
  readonly dst_port: number;
  readonly proto?: string;
}

function json(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => {
    if (typeof x === "bigint") return x.toString();
    if (x instanceof Uint8Array) return hexOf(x);
    return x;
  });
}

function main(dir: string, meta?: string): void {
  const entries: SplitEntry[] = meta ? (JSON.parse(readFileSync(meta, "utf8")) as SplitEntry[]) : [];
  const byFile = new Map(entries.map((e) => [e.file, e]));
  const pending = new Map<string, string>();
  for (const file of readdirSync(dir).sort()) {
    if (!file.endsWith(".hex")) continue;
    const bytes = Buffer.from(readFileSync(join(dir, file), "utf8").replace(/\s+/g, ""), "hex");
    const e = byFile.get(file);
    const flow = e ? e.flow : "";
    if (bytes.subarray(0, 4).toString("latin1") !== "GIOP") {
      process.stdout.write(`${file} ${flow} ZMTP ${bytes.length} bytes\n`);
      continue;
    }
    try {
      const m = decodeMessage(bytes);
      const v = `${m.header.major}.${m.header.minor}`;
      if (m.type === "Request") {
        const conn = e ? `${Math.min(e.src_port, e.dst_port)}-${Math.max(e.src_port, e.dst_port)}` : "";
        pending.set(`${conn}/${m.requestId}`, m.operation);
        const codec = operationCodec(m.operation);
        const args = codec ? codec.args.read(m.body) : describeBody(m.body);
        const ctx = m.serviceContexts.map((c) => `ctx ${c.id.toString(16)}:${hexOf(c.data)}`).join(" ");
        process.stdout.write(
          `${file} ${flow} GIOP ${v} Request #${m.requestId} key=${hexOf(m.objectKey)} ${m.operation} ${json(args)} ${ctx}\n`,
        );
      } else if (m.type === "Reply") {
        const conn = e ? `${Math.min(e.src_port, e.dst_port)}-${Math.max(e.src_port, e.dst_port)}` : "";
        const op = pending.get(`${conn}/${m.requestId}`) ?? "?";
        let result: unknown;
        if (m.status === "USER_EXCEPTION") result = readUserException(m.body);
        else if (m.status === "SYSTEM_EXCEPTION") result = readSystemExceptionBody(m.body);
        else {
          const codec = operationCodec(op);
          result = codec ? codec.result.read(m.body) : op === "info_6" ? readDevInfo6(m.body) : describeBody(m.body);
        }
        process.stdout.write(`${file} ${flow} GIOP ${v} Reply #${m.requestId} ${op} ${m.status} ${json(result)}\n`);
      } else {
        process.stdout.write(`${file} ${flow} GIOP ${v} ${m.type}\n`);
      }
    } catch (err) {
      process.stdout.write(`${file} ${flow} DECODE FAILED: ${(err as Error).message}\n`);
    }
  }
}

const [dir, meta] = process.argv.slice(2);
if (!dir) {
  process.stderr.write("usage: decode-capture.ts <dir> [split.json]\n");
  process.exitCode = 2;
} else main(dir, meta);
