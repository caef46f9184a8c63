/** CORBA TypeCodes and Any values (the subset Tango puts in command arguments), with indirection support on input. */
import type { CdrReader, CdrWriter } from "../cdr/cdr.ts";
import { ProtocolError } from "../errors/errors.ts";

export const TCKind = {
  null: 0,
  void: 1,
  short: 2,
  long: 3,
  ushort: 4,
  ulong: 5,
  float: 6,
  double: 7,
  boolean: 8,
  char: 9,
  octet: 10,
  any: 11,
  TypeCode: 12,
  Principal: 13,
  objref: 14,
  struct: 15,
  union: 16,
  enum: 17,
  string: 18,
  sequence: 19,
  array: 20,
  alias: 21,
  except: 22,
  longlong: 23,
  ulonglong: 24,
  longdouble: 25,
  wchar: 26,
  wstring: 27,
} as const;
export type TCKindName = keyof typeof TCKind;
const KIND_NAMES: TCKindName[] = [];
for (const [k, v] of Object.entries(TCKind)) KIND_NAMES[v] = k as TCKindName;

export type SimpleKind =
  | "null"
  | "void"
  | "short"
  | "long"
  | "ushort"
  | "ulong"
  | "float"
  | "double"
  | "boolean"
  | "char"
  | "octet"
  | "any"
  | "TypeCode"
  | "longlong"
  | "ulonglong"
  | "longdouble"
  | "wchar";

export interface StructMember {
  readonly name: string;
  readonly type: TypeCode;
}
export interface UnionMember {
  readonly label: number | boolean | bigint;
  readonly name: string;
  readonly type: TypeCode;
}

export type TypeCode =
  | { readonly kind: SimpleKind }
  | { readonly kind: "string" | "wstring"; readonly bound: number }
  | { readonly kind: "sequence"; readonly element: TypeCode; readonly bound: number }
  | { readonly kind: "array"; readonly element: TypeCode; readonly length: number }
  | { readonly kind: "alias"; readonly id: string; readonly name: string; readonly content: TypeCode }
  | { readonly kind: "struct" | "except"; readonly id: string; readonly name: string; readonly members: readonly StructMember[] }
  | { readonly kind: "enum"; readonly id: string; readonly name: string; readonly members: readonly string[] }
  | { readonly kind: "objref"; readonly id: string; readonly name: string }
  | {
      readonly kind: "union";
      readonly id: string;
      readonly name: string;
      readonly discriminator: TypeCode;
      readonly defaultIndex: number;
      readonly members: readonly UnionMember[];
    };

export const tc = {
  simple: (kind: SimpleKind): TypeCode => ({ kind }),
  string: (bound = 0): TypeCode => ({ kind: "string", bound }),
  sequence: (element: TypeCode, bound = 0): TypeCode => ({ kind: "sequence", element, bound }),
  alias: (id: string, name: string, content: TypeCode): TypeCode => ({ kind: "alias", id, name, content }),
  struct: (id: string, name: string, members: StructMember[]): TypeCode => ({ kind: "struct", id, name, members }),
  enum: (id: string, name: string, members: string[]): TypeCode => ({ kind: "enum", id, name, members }),
};

/** Strips aliases. */
export function unalias(t: TypeCode): TypeCode {
  let x = t;
  while (x.kind === "alias") x = x.content;
  return x;
}

// ------------------------------------------------------------------------------------------------- TypeCode I/O

const MAX_TC_DEPTH = 64;

export function readTypeCode(r: CdrReader, seen: Map<number, TypeCode> = new Map(), depth = 0): TypeCode {
  if (depth > MAX_TC_DEPTH) throw new ProtocolError("TypeCode nesting too deep");
  r.align(4);
  const at = r.pos;
  const code = r.ulong();
  if (code === 0xffffffff) {
    const offsetPos = r.pos;
    const off = r.long();
    const target = offsetPos + off;
    const found = seen.get(target);
    if (!found) throw new ProtocolError(`TypeCode indirection to ${target} does not point at a known TypeCode`);
    return found;
  }
  const kind = KIND_NAMES[code];
  if (kind === undefined) throw new ProtocolError(`unknown TypeCode kind ${code}`);
  switch (kind) {
    case "string":
    case "wstring":
      return { kind, bound: r.ulong() };
    case "sequence":
    case "array": {
      const e = r.encapsulation();
      const element = readTypeCode(e, seen, depth + 1);
      const n = e.ulong();
      return kind === "sequence" ? { kind, element, bound: n } : { kind, element, length: n };
    }
    case "alias": {
      const e = r.encapsulation();
      const id = e.string();
      const name = e.string();
      const t: TypeCode = { kind, id, name, content: readTypeCode(e, seen, depth + 1) };
      seen.set(at, t);
      return t;
    }
    case "struct":
    case "except": {
      const e = r.encapsulation();
      const id = e.string();
      const name = e.string();
      const members: StructMember[] = [];
      const t = { kind, id, name, members } as const;
      seen.set(at, t);
      const n = e.seqLength(8, "struct members");
      for (let i = 0; i < n; i++) members.push({ name: e.string(), type: readTypeCode(e, seen, depth + 1) });
      return t;
    }
    case "enum": {
      const e = r.encapsulation();
      const id = e.string();
      const name = e.string();
      const t: TypeCode = { kind, id, name, members: e.stringSeq() };
      seen.set(at, t);
      return t;
    }
    case "objref": {
      const e = r.encapsulation();
      return { kind, id: e.string(), name: e.string() };
    }
    case "union": {
      const e = r.encapsulation();
      const id = e.string();
      const name = e.string();
      const discriminator = readTypeCode(e, seen, depth + 1);
      const defaultIndex = e.long();
      const members: UnionMember[] = [];
      const t: TypeCode = { kind, id, name, discriminator, defaultIndex, members };
      seen.set(at, t);
      const n = e.seqLength(8, "union members");
      for (let i = 0; i < n; i++) {
        const label = readScalar(e, unalias(discriminator)) as number | boolean | bigint;
        members.push({ label, name: e.string(), type: readTypeCode(e, seen, depth + 1) });
      }
      return t;
    }
    case "Principal":
      throw new ProtocolError(`TypeCode kind ${kind} is not supported`);
    default:
      return { kind: kind as SimpleKind };
  }
}

export function writeTypeCode(w: CdrWriter, t: TypeCode): void {
  w.ulong(TCKind[t.kind]);
  switch (t.kind) {
    case "string":
    case "wstring":
      w.ulong(t.bound);
      return;
    case "sequence":
      w.encapsulation((e) => {
        writeTypeCode(e, t.element);
        e.ulong(t.bound);
      });
      return;
    case "array":
      w.encapsulation((e) => {
        writeTypeCode(e, t.element);
        e.ulong(t.length);
      });
      return;
    case "alias":
      w.encapsulation((e) => {
        e.string(t.id);
        e.string(t.name);
        writeTypeCode(e, t.content);
      });
      return;
    case "struct":
    case "except":
      w.encapsulation((e) => {
        e.string(t.id);
        e.string(t.name);
        e.ulong(t.members.length);
        for (const m of t.members) {
          e.string(m.name);
          writeTypeCode(e, m.type);
        }
      });
      return;
    case "enum":
      w.encapsulation((e) => {
        e.string(t.id);
        e.string(t.name);
        e.stringSeq(t.members);
      });
      return;
    case "objref":
      w.encapsulation((e) => {
        e.string(t.id);
        e.string(t.name);
      });
      return;
    case "union":
      w.encapsulation((e) => {
        e.string(t.id);
        e.string(t.name);
        writeTypeCode(e, t.discriminator);
        e.long(t.defaultIndex);
        e.ulong(t.members.length);
        for (const m of t.members) {
          writeScalar(e, unalias(t.discriminator), m.label);
          e.string(m.name);
          writeTypeCode(e, m.type);
        }
      });
      return;
    default:
      return;
  }
}

// ------------------------------------------------------------------------------------------------- values

/** JS representation of a CORBA value decoded generically from its TypeCode. */
export type CorbaValue =
  | null
  | undefined
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | CorbaValue[]
  | { readonly [k: string]: CorbaValue }
  | AnyValue;

export interface AnyValue {
  readonly type: TypeCode;
  readonly value: CorbaValue;
}

function readScalar(r: CdrReader, t: TypeCode): CorbaValue {
  switch (t.kind) {
    case "short":
      return r.short();
    case "long":
      return r.long();
    case "ushort":
      return r.ushort();
    case "ulong":
      return r.ulong();
    case "float":
      return r.float();
    case "double":
      return r.double();
    case "boolean":
      return r.boolean();
    case "char":
      return r.char();
    case "octet":
      return r.octet();
    case "longlong":
      return r.longlong();
    case "ulonglong":
      return r.ulonglong();
    case "enum": {
      const v = r.ulong();
      if (v >= t.members.length) throw new ProtocolError(`enum ${t.name}: ordinal ${v} out of range`);
      return v;
    }
    default:
      throw new ProtocolError(`not a scalar TypeCode: ${t.kind}`);
  }
}

function writeScalar(w: CdrWriter, t: TypeCode, v: unknown): void {
  switch (t.kind) {
    case "short":
      w.short(Number(v));
      return;
    case "long":
      w.long(Number(v));
      return;
    case "ushort":
      w.ushort(Number(v));
      return;
    case "ulong":
    case "enum":
      w.ulong(Number(v));
      return;
    case "float":
      w.float(Number(v));
      return;
    case "double":
      w.double(Number(v));
      return;
    case "boolean":
      w.boolean(Boolean(v));
      return;
    case "char":
      w.octet(typeof v === "string" ? v.charCodeAt(0) : Number(v));
      return;
    case "octet":
      w.octet(Number(v));
      return;
    case "longlong":
      w.longlong(v as bigint | number);
      return;
    case "ulonglong":
      w.ulonglong(v as bigint | number);
      return;
    default:
      throw new ProtocolError(`not a scalar TypeCode: ${t.kind}`);
  }
}

const NUMERIC_SEQ: Partial<Record<TypeCode["kind"], "short" | "ushort" | "long" | "ulong" | "float" | "double">> = {
  short: "short",
  ushort: "ushort",
  long: "long",
  ulong: "ulong",
  float: "float",
  double: "double",
};

const MAX_VALUE_DEPTH = 64;

/**
 * Bounds the work of one value decode: every node visited costs 1, and the budget is proportional to the bytes
 * available, so TypeCodes whose values take no bytes (null members, DAGs built with indirections) cannot make a
 * small input decode into an exponential or huge value.
 */
export interface DecodeBudget {
  left: number;
}
export function decodeBudgetFor(r: CdrReader): DecodeBudget {
  return { left: 16 * r.remaining + 1024 };
}

export function readValue(r: CdrReader, type: TypeCode, depth = 0, budget: DecodeBudget = decodeBudgetFor(r)): CorbaValue {
  if (depth > MAX_VALUE_DEPTH) throw new ProtocolError("value nesting too deep");
  if (--budget.left < 0) throw new ProtocolError("value too complex for the bytes it was decoded from");
  const t = unalias(type);
  switch (t.kind) {
    case "null":
    case "void":
      return null;
    case "string":
    case "wstring":
      return r.string();
    case "any":
      return readAny(r, depth + 1, budget);
    case "TypeCode":
      return { type: readTypeCode(r), value: null };
    case "sequence": {
      const el = unalias(t.element);
      const num = NUMERIC_SEQ[el.kind];
      if (num) return r.numberSeq(num);
      if (el.kind === "octet") return r.octets();
      if (el.kind === "longlong" || el.kind === "ulonglong") return r.bigintSeq(el.kind === "longlong");
      if (el.kind === "string") return r.stringSeq();
      if (el.kind === "boolean") return r.booleanSeq();
      return r.sequence(Math.max(1, minWireSize(el)), (x) => readValue(x, el, depth + 1, budget));
    }
    case "array": {
      // Checked before allocating: elements of zero wire size (null, empty struct) count as one byte each.
      if (t.length > r.remaining / Math.max(1, minWireSize(t.element))) {
        throw new ProtocolError(`array of ${t.length} elements exceeds the ${r.remaining} bytes left`);
      }
      const out: CorbaValue[] = [];
      for (let i = 0; i < t.length; i++) out.push(readValue(r, t.element, depth + 1, budget));
      return out;
    }
    case "struct":
    case "except": {
      const o: Record<string, CorbaValue> = {};
      for (const m of t.members) o[m.name] = readValue(r, m.type, depth + 1, budget);
      return o;
    }
    case "union": {
      const d = readScalar(r, unalias(t.discriminator));
      let m = t.members.find((x) => x.label === d);
      if (!m && t.defaultIndex >= 0) m = t.members[t.defaultIndex];
      return { discriminator: d, value: m ? readValue(r, m.type, depth + 1, budget) : null };
    }
    case "objref":
      throw new ProtocolError("object references inside Any are not supported");
    default:
      return readScalar(r, t);
  }
}

/** The fewest bytes a value of this type takes on the wire (alignment ignored); used to bound declared counts. */
export function minWireSize(type: TypeCode, depth = 0, cache: Map<TypeCode, number> = new Map()): number {
  if (depth > MAX_VALUE_DEPTH) return 0;
  const t = unalias(type);
  const known = cache.get(t);
  if (known !== undefined) return known;
  cache.set(t, 0); // a recursive reference counts as 0 while its size is being computed
  const n = minWireSizeOf(t, depth, cache);
  cache.set(t, n);
  return n;
}
function minWireSizeOf(t: TypeCode, depth: number, cache: Map<TypeCode, number>): number {
  switch (t.kind) {
    case "null":
    case "void":
      return 0;
    case "octet":
    case "boolean":
    case "char":
      return 1;
    case "short":
    case "ushort":
    case "wchar":
      return 2;
    case "longlong":
    case "ulonglong":
    case "double":
      return 8;
    case "longdouble":
      return 16;
    case "struct":
    case "except":
      return Math.min(
        t.members.reduce((n, m) => n + minWireSize(m.type, depth + 1, cache), 0),
        Number.MAX_SAFE_INTEGER,
      );
    case "union":
      return minWireSize(t.discriminator, depth + 1, cache);
    case "array":
      return Math.min(t.length * minWireSize(t.element, depth + 1, cache), Number.MAX_SAFE_INTEGER);
    default:
      // long, ulong, float, enum, string, wstring, sequence, any, TypeCode, objref: at least a 4-byte count/kind.
      return 4;
  }
}

export function writeValue(w: CdrWriter, type: TypeCode, v: unknown): void {
  const t = unalias(type);
  switch (t.kind) {
    case "null":
    case "void":
      return;
    case "string":
    case "wstring":
      w.string(String(v));
      return;
    case "any": {
      const a = v as AnyValue;
      writeAny(w, a.type, a.value);
      return;
    }
    case "sequence": {
      const el = unalias(t.element);
      const num = NUMERIC_SEQ[el.kind];
      if (num) {
        w.numberSeq(num, v as ArrayLike<number>);
        return;
      }
      if (el.kind === "octet") {
        w.octets(v as Uint8Array);
        return;
      }
      if (el.kind === "longlong" || el.kind === "ulonglong") {
        w.bigintSeq(el.kind === "longlong", v as ArrayLike<bigint>);
        return;
      }
      if (el.kind === "string") {
        w.stringSeq(v as string[]);
        return;
      }
      if (el.kind === "boolean") {
        w.booleanSeq(v as boolean[]);
        return;
      }
      w.sequence(v as unknown[], (x, e) => writeValue(x, el, e));
      return;
    }
    case "array": {
      const arr = v as unknown[];
      for (let i = 0; i < t.length; i++) writeValue(w, t.element, arr[i]);
      return;
    }
    case "struct":
    case "except": {
      const o = v as Record<string, unknown>;
      for (const m of t.members) writeValue(w, m.type, o[m.name]);
      return;
    }
    case "union": {
      const u = v as { discriminator: number | boolean | bigint; value: unknown };
      writeScalar(w, unalias(t.discriminator), u.discriminator);
      let m = t.members.find((x) => x.label === u.discriminator);
      if (!m && t.defaultIndex >= 0) m = t.members[t.defaultIndex];
      if (m) writeValue(w, m.type, u.value);
      return;
    }
    case "TypeCode":
      writeTypeCode(w, (v as AnyValue).type);
      return;
    case "objref":
      throw new ProtocolError("object references inside Any are not supported");
    default:
      writeScalar(w, t, v);
  }
}

export function readAny(r: CdrReader, depth = 0, budget?: DecodeBudget): AnyValue {
  const type = readTypeCode(r);
  return { type, value: readValue(r, type, depth, budget ?? decodeBudgetFor(r)) };
}

export function writeAny(w: CdrWriter, type: TypeCode, value: unknown): void {
  writeTypeCode(w, type);
  writeValue(w, type, value);
}

/** Structural TypeCode equivalence (aliases are transparent, names and ids are not compared). */
export function equivalent(a: TypeCode, b: TypeCode): boolean {
  const x = unalias(a);
  const y = unalias(b);
  if (x.kind !== y.kind) return false;
  switch (x.kind) {
    case "sequence":
      return equivalent(x.element, (y as typeof x).element);
    case "struct":
    case "except": {
      const ym = (y as typeof x).members;
      return x.members.length === ym.length && x.members.every((m, i) => equivalent(m.type, (ym[i] as StructMember).type));
    }
    case "enum":
      return x.members.length === (y as typeof x).members.length;
    default:
      return true;
  }
}
