/**
 * IPv4 subnets for the run networks. Docker only accepts static container addresses on networks created with an
 * explicit subnet, so the provider picks one: a random /24 in 10.200.0.0–10.254.255.0 that overlaps no route of the
 * host (nor, by retrying, another docker network).
 */

export interface Subnet {
  /** Network address as a 32-bit unsigned integer. */
  readonly base: number;
  readonly prefix: number;
}

export function parseIpv4(text: string): number {
  const parts = text.split(".");
  if (parts.length !== 4) throw new TypeError(`not an IPv4 address: ${text}`);
  let n = 0;
  for (const p of parts) {
    const v = Number(p);
    if (!/^\d{1,3}$/.test(p) || v > 255) throw new TypeError(`not an IPv4 address: ${text}`);
    n = n * 256 + v;
  }
  return n >>> 0;
}

export function formatIpv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");
}

function mask(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

export function parseCidr(text: string): Subnet {
  const [addr = "", bits = ""] = text.split("/");
  const prefix = Number(bits);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > 32) throw new TypeError(`not an IPv4 CIDR: ${text}`);
  return { base: (parseIpv4(addr) & mask(prefix)) >>> 0, prefix };
}

export function formatCidr(s: Subnet): string {
  return `${formatIpv4(s.base)}/${s.prefix}`;
}

export function overlaps(a: Subnet, b: Subnet): boolean {
  const m = mask(Math.min(a.prefix, b.prefix));
  return (a.base & m) >>> 0 === (b.base & m) >>> 0;
}

/** The `index`-th address of the subnet (1 = the gateway by docker's convention). */
export function hostAddress(s: Subnet, index: number): string {
  const size = 2 ** (32 - s.prefix);
  if (index <= 0 || index >= size - 1) throw new RangeError(`address #${index} is outside ${formatCidr(s)}`);
  return formatIpv4(s.base + index);
}

/** Destinations of the host's IPv4 routes, from /proc/net/route's text (little-endian hex columns). */
export function parseProcRoutes(text: string): Subnet[] {
  const out: Subnet[] = [];
  for (const line of text.split("\n").slice(1)) {
    const cols = line.trim().split(/\s+/);
    const dest = cols[1];
    const m = cols[7];
    if (!dest || !m || !/^[0-9A-Fa-f]{8}$/.test(dest) || !/^[0-9A-Fa-f]{8}$/.test(m)) continue;
    const le = (hex: string): number => Buffer.from(hex, "hex").readUInt32LE(0);
    const maskValue = le(m);
    if (maskValue === 0) continue; // the default route overlaps everything by definition
    const prefix = 32 - Math.log2(2 ** 32 - maskValue);
    if (!Number.isInteger(prefix)) continue;
    out.push({ base: (le(dest) & maskValue) >>> 0, prefix });
  }
  return out;
}

/** A random /24 in 10.200.0.0–10.254.255.0 that overlaps none of `taken`; `random` returns [0, 1). */
export function pickSubnet(taken: readonly Subnet[], random: () => number = Math.random): Subnet {
  for (let attempt = 0; attempt < 200; attempt++) {
    const second = 200 + Math.floor(random() * 55);
    const third = Math.floor(random() * 256);
    const candidate: Subnet = { base: parseIpv4(`10.${second}.${third}.0`), prefix: 24 };
    if (!taken.some((t) => overlaps(t, candidate))) return candidate;
  }
  throw new RangeError("no free /24 left in 10.200.0.0/16–10.254.0.0/16");
}
