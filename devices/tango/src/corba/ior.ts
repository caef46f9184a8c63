/** Interoperable Object References: parse/stringify, IIOP profiles, omniORB tagged components, corbaloc. */
import { CdrReader, CdrWriter } from "../cdr/cdr.ts";
import { ProtocolError } from "../errors/errors.ts";

export const TAG_INTERNET_IOP = 0;
export const TAG_MULTIPLE_COMPONENTS = 1;
export const TAG_ORB_TYPE = 0;
export const TAG_CODE_SETS = 1;
export const TAG_ALTERNATE_IIOP_ADDRESS = 3;
/** omniORB's ORB type id "AT\0\0". */
export const OMNIORB_ORB_TYPE = 0x41545400;
export const CODESET_ISO8859_1 = 0x00010001;
export const CODESET_UTF8 = 0x05010001;
export const CODESET_UTF16 = 0x00010109;

export interface TaggedComponent {
  readonly tag: number;
  readonly data: Uint8Array;
}

export interface IiopProfile {
  readonly major: number;
  readonly minor: number;
  readonly host: string;
  readonly port: number;
  readonly objectKey: Uint8Array;
  readonly components: readonly TaggedComponent[];
}

export interface TaggedProfile {
  readonly tag: number;
  readonly data: Uint8Array;
}

export interface Ior {
  readonly typeId: string;
  readonly profiles: readonly TaggedProfile[];
}

export function decodeIiopProfile(data: Uint8Array): IiopProfile {
  const r = new CdrReader(data, { origin: 0, start: 1, littleEndian: data[0] === 1 });
  if (data.length < 1 || (data[0] as number) > 1) throw new ProtocolError("IIOP profile: bad byte-order octet");
  const major = r.octet();
  const minor = r.octet();
  const host = r.string();
  const port = r.ushort();
  const objectKey = r.octets();
  const components: TaggedComponent[] = [];
  if (minor >= 1 && r.remaining > 0) {
    const n = r.seqLength(8, "tagged components");
    for (let i = 0; i < n; i++) components.push({ tag: r.ulong(), data: r.octets() });
  }
  return { major, minor, host, port, objectKey, components };
}

export function encodeIiopProfile(p: IiopProfile, littleEndian = true): Uint8Array {
  const w = new CdrWriter({ littleEndian, origin: 0 });
  w.octet(littleEndian ? 1 : 0);
  w.octet(p.major);
  w.octet(p.minor);
  w.string(p.host);
  w.ushort(p.port);
  w.octets(p.objectKey);
  if (p.minor >= 1) {
    w.ulong(p.components.length);
    for (const c of p.components) {
      w.ulong(c.tag);
      w.octets(c.data);
    }
  }
  return new Uint8Array(w.finish());
}

export function readIor(r: CdrReader): Ior {
  const typeId = r.string();
  const n = r.seqLength(8, "IOR profiles");
  const profiles: TaggedProfile[] = [];
  for (let i = 0; i < n; i++) profiles.push({ tag: r.ulong(), data: r.octets() });
  return { typeId, profiles };
}

export function writeIor(w: CdrWriter, ior: Ior): void {
  w.string(ior.typeId);
  w.ulong(ior.profiles.length);
  for (const p of ior.profiles) {
    w.ulong(p.tag);
    w.octets(p.data);
  }
}

export function parseIor(text: string): Ior {
  const t = text.trim();
  if (!/^IOR:/i.test(t)) throw new ProtocolError(`not a stringified IOR: ${t.slice(0, 20)}`);
  const hex = t.slice(4);
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) throw new ProtocolError("IOR: hex part is malformed");
  const bytes = Buffer.from(hex, "hex");
  if (bytes.length < 1 || (bytes[0] as number) > 1) throw new ProtocolError("IOR: bad byte-order octet");
  const r = new CdrReader(bytes, { littleEndian: bytes[0] === 1, origin: 0, start: 1 });
  return readIor(r);
}

export function stringifyIor(ior: Ior, littleEndian = true): string {
  const w = new CdrWriter({ littleEndian, origin: 0 });
  w.octet(littleEndian ? 1 : 0);
  writeIor(w, ior);
  return `IOR:${w.finish().toString("hex")}`;
}

/** The IIOP profiles of an IOR (in order), decoded. */
export function iiopProfiles(ior: Ior): IiopProfile[] {
  return ior.profiles.filter((p) => p.tag === TAG_INTERNET_IOP).map((p) => decodeIiopProfile(p.data));
}

/** host/port endpoints of a profile: the main one, then TAG_ALTERNATE_IIOP_ADDRESS components. */
export function profileEndpoints(p: IiopProfile): { host: string; port: number }[] {
  const out = [{ host: p.host, port: p.port }];
  for (const c of p.components) {
    if (c.tag !== TAG_ALTERNATE_IIOP_ADDRESS) continue;
    const r = new CdrReader(c.data, { origin: 0, start: 1, littleEndian: c.data[0] === 1 });
    out.push({ host: r.string(), port: r.ushort() });
  }
  return out;
}

function encapsulate(body: (w: CdrWriter) => void): Uint8Array {
  const w = new CdrWriter({ origin: 0 });
  w.octet(1);
  body(w);
  return new Uint8Array(w.finish());
}

/** Builds the IOR a server publishes: one IIOP 1.2 profile with omniORB-style ORB type and code-set components. */
export function makeIor(typeId: string, host: string, port: number, objectKey: Uint8Array): Ior {
  const components: TaggedComponent[] = [
    { tag: TAG_ORB_TYPE, data: encapsulate((w) => w.ulong(OMNIORB_ORB_TYPE)) },
    {
      tag: TAG_CODE_SETS,
      data: encapsulate((w) => {
        w.ulong(CODESET_ISO8859_1);
        w.ulong(1);
        w.ulong(CODESET_UTF8);
        w.ulong(CODESET_UTF16);
        w.ulong(1);
        w.ulong(CODESET_UTF16);
      }),
    },
  ];
  const profile = encodeIiopProfile({ major: 1, minor: 2, host, port, objectKey, components });
  return { typeId, profiles: [{ tag: TAG_INTERNET_IOP, data: profile }] };
}

export interface CorbalocAddress {
  readonly endpoints: readonly { host: string; port: number; minor: number }[];
  readonly objectKey: Uint8Array;
}

/** Parses `corbaloc:iiop:[1.2@]host:port[,iiop:...]/key` (key %-escaped). */
export function parseCorbaloc(url: string): CorbalocAddress {
  const m = /^corbaloc:(.*?)\/(.*)$/.exec(url);
  if (!m) throw new ProtocolError(`not a corbaloc URL: ${url}`);
  const endpoints = (m[1] as string).split(",").map((a) => {
    const em = /^(?:iiop)?:(?:(\d)\.(\d)@)?(\[[^\]]+\]|[^:]+):(\d+)$/.exec(a);
    if (!em) throw new ProtocolError(`corbaloc: bad address ${a}`);
    const host = (em[3] as string).replace(/^\[|\]$/g, "");
    return { host, port: Number(em[4]), minor: em[2] ? Number(em[2]) : 2 };
  });
  let key: string;
  try {
    key = decodeURIComponent(m[2] as string);
  } catch (e) {
    throw new ProtocolError(`corbaloc: bad %-escape in the object key of ${url}`, { cause: e });
  }
  return { endpoints, objectKey: new Uint8Array(Buffer.from(key, "latin1")) };
}

// ------------------------------------------------------------------------------------------------- tagged components

/** omniORB's unix-socket transport component (cppTango servers always publish one). */
export const TAG_OMNIORB_UNIX_TRANS = 0x41545402;

function componentReader(c: TaggedComponent, what: string): CdrReader {
  const order = c.data[0];
  if (order === undefined || order > 1) throw new ProtocolError(`${what}: bad byte-order octet`);
  return new CdrReader(c.data, { origin: 0, start: 1, littleEndian: order === 1 });
}

/** TAG_ORB_TYPE: the ORB type id (omniORB = 0x41545400). */
export function decodeOrbType(c: TaggedComponent): number {
  return componentReader(c, "TAG_ORB_TYPE").ulong();
}

export interface CodeSetsComponent {
  readonly charNative: number;
  readonly charConversion: readonly number[];
  readonly wcharNative: number;
  readonly wcharConversion: readonly number[];
}
/** TAG_CODE_SETS: CodeSetComponentInfo {native char + conversions, native wchar + conversions}. */
export function decodeCodeSets(c: TaggedComponent): CodeSetsComponent {
  const r = componentReader(c, "TAG_CODE_SETS");
  const ulongs = (): number[] => r.sequence(4, (x) => x.ulong(), "code set list");
  return { charNative: r.ulong(), charConversion: ulongs(), wcharNative: r.ulong(), wcharConversion: ulongs() };
}

/** omniORB TAG_OMNIORB_UNIX_TRANS: {string host; string filename} of the server's unix socket. */
export function decodeOmniUnixTransport(c: TaggedComponent): { host: string; filename: string } {
  const r = componentReader(c, "TAG_OMNIORB_UNIX_TRANS");
  return { host: r.string(), filename: r.string() };
}
