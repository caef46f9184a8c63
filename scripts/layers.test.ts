/**
 * Architecture rule (house style): the library's layers only import downwards, and the byte layers never touch
 * sockets. Order: errors < cdr < giop, corba < idl < iiop < client < database, events < server < testing < cli.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { test } from "node:test";

const SRC = resolve(import.meta.dirname, "../devices/tango/src");
const RANK: Record<string, number> = {
  errors: 0,
  cdr: 1,
  giop: 2,
  corba: 2,
  idl: 3,
  iiop: 4,
  client: 5,
  database: 6,
  events: 6,
  server: 7,
  testing: 8,
  cli: 9,
};
const NO_IO = new Set(["errors", "cdr", "giop", "corba", "idl"]);
const IO_MODULES = /^(node:)?(net|dgram|tls|http|https|child_process)$|^zeromq$/;

function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...tsFiles(p));
    else if (name.endsWith(".ts") && !name.endsWith(".test.ts")) out.push(p);
  }
  return out;
}

function layerOf(file: string): string | undefined {
  const rel = relative(SRC, file);
  const top = rel.split("/")[0] ?? "";
  return top in RANK ? top : undefined;
}

test("library layers import only downwards and byte layers do no I/O", () => {
  const violations: string[] = [];
  for (const file of tsFiles(SRC)) {
    const from = layerOf(file);
    if (!from) continue;
    const text = readFileSync(file, "utf8");
    for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)[^"';]*?from\s*["']([^"']+)["']/g)) {
      const spec = m[1] as string;
      if (spec.startsWith(".")) {
        const to = layerOf(resolve(dirname(file), spec));
        if (to && to !== from && (RANK[to] as number) >= (RANK[from] as number)) {
          violations.push(`${relative(SRC, file)} (${from}) imports ${spec} (${to})`);
        }
      } else if (NO_IO.has(from) && IO_MODULES.test(spec)) {
        violations.push(`${relative(SRC, file)} (${from}) must not import ${spec}`);
      }
    }
  }
  assert.deepEqual(violations, []);
});
