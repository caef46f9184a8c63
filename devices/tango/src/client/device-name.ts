/**
 * Tango device names: `a/b/c`, `tango://host:port[,host2:port2]/a/b/c`, `//host:port/a/b/c`, `...#dbase=no|yes`,
 * and aliases (a single token without `/`, resolved through the database).
 */
import { devError, WrongNameSyntax } from "../errors/errors.ts";

export interface TangoHost {
  readonly host: string;
  readonly port: number;
}

export interface ParsedDeviceName {
  /** Database host(s) named in the FQDN (`tango://h:p/...`), or undefined to use the context's TANGO_HOST. */
  readonly hosts?: readonly TangoHost[];
  /** `a/b/c` (original case) when the name is a device name. */
  readonly device?: string;
  /** The alias when the name is a single token. */
  readonly alias?: string;
  /** false for `#dbase=no` (the host:port is the device server itself). */
  readonly useDatabase: boolean;
}

const ORIGIN = "DeviceName.parse";

function wrong(name: string, why: string): WrongNameSyntax {
  return new WrongNameSyntax(devError("API_WrongDeviceNameSyntax", `device name ${JSON.stringify(name)} is not valid: ${why}`, ORIGIN));
}

/** Parses `host:port[,host:port...]`. */
export function parseTangoHost(text: string): TangoHost[] {
  const list = text
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (list.length === 0)
    throw new WrongNameSyntax(devError("API_TangoHostNotSet", "TANGO_HOST is empty: expected host:port[,host:port]", ORIGIN));
  return list.map((item) => {
    const m = /^(\[[^\]]+\]|[^:/]+):(\d{1,5})$/.exec(item);
    const port = m ? Number(m[2]) : Number.NaN;
    if (!m || port <= 0 || port > 65535) {
      throw new WrongNameSyntax(devError("API_WrongTangoHostSyntax", `TANGO_HOST entry ${JSON.stringify(item)} is not host:port`, ORIGIN));
    }
    return { host: (m[1] as string).replace(/^\[|\]$/g, ""), port };
  });
}

export function formatTangoHosts(hosts: readonly TangoHost[]): string {
  return hosts.map((h) => `${h.host}:${h.port}`).join(",");
}

export function parseDeviceName(name: string): ParsedDeviceName {
  let rest = name.trim();
  if (rest.length === 0) throw wrong(name, "empty name");
  let useDatabase = true;
  const hash = rest.indexOf("#");
  if (hash >= 0) {
    const mod = rest.slice(hash + 1).toLowerCase();
    rest = rest.slice(0, hash);
    if (mod === "dbase=no") useDatabase = false;
    else if (mod !== "dbase=yes") throw wrong(name, `unknown modifier #${mod} (expected #dbase=no or #dbase=yes)`);
  }
  let hosts: TangoHost[] | undefined;
  const proto = /^(?:tango:)?\/\//i.exec(rest);
  if (proto) {
    rest = rest.slice(proto[0].length);
    const slash = rest.indexOf("/");
    if (slash < 0) throw wrong(name, "missing device name after host:port");
    try {
      hosts = parseTangoHost(rest.slice(0, slash));
    } catch {
      throw wrong(name, `bad host:port part ${JSON.stringify(rest.slice(0, slash))}`);
    }
    rest = rest.slice(slash + 1);
  } else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(rest)) {
    throw wrong(name, "only the tango:// protocol is supported");
  }
  if (!useDatabase && !hosts) throw wrong(name, "#dbase=no needs a host:port (tango://host:port/a/b/c#dbase=no)");
  const parts = rest.split("/");
  if (parts.length === 1) {
    if (!useDatabase) throw wrong(name, "an alias cannot be used with #dbase=no");
    if (!/^[^\s/#:]+$/.test(rest)) throw wrong(name, "an alias is a single token without blanks, '/', ':' or '#'");
    return hosts ? { hosts, alias: rest, useDatabase } : { alias: rest, useDatabase };
  }
  if (parts.length !== 3 || parts.some((p) => p.length === 0 || /\s/.test(p))) {
    throw wrong(name, "expected domain/family/member");
  }
  return hosts ? { hosts, device: rest, useDatabase } : { device: rest, useDatabase };
}
