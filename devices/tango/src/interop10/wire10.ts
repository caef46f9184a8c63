/** Small helpers shared by the Tango 10 interop tools and tests. */
import type { CdrReader } from "../cdr/cdr.ts";

export function hexOf(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("hex");
}

/** The undecoded rest of a body, as hex (for operations this library has no codec for). */
export function describeBody(r: CdrReader): { raw: string } {
  return { raw: hexOf(r.buf.subarray(r.pos, r.end)) };
}

/** IDL 6 DevInfo_6 (reply of `info_6`, Tango 10): DevInfo_3 followed by `version_info`, a sequence of key/value pairs. */
export interface DevInfo6 {
  readonly devClass: string;
  readonly serverId: string;
  readonly serverHost: string;
  readonly serverVersion: number;
  readonly docUrl: string;
  readonly devType: string;
  readonly versionInfo: readonly { readonly key: string; readonly value: string }[];
}
export function readDevInfo6(r: CdrReader): DevInfo6 {
  const base = {
    devClass: r.string(),
    serverId: r.string(),
    serverHost: r.string(),
    serverVersion: r.long(),
    docUrl: r.string(),
    devType: r.string(),
  };
  return { ...base, versionInfo: r.sequence(8, (x) => ({ key: x.string(), value: x.string() }), "DevInfoVersionList") };
}
